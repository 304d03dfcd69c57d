"""SageMaker entry script of the train step: parses the arguments and runs uns_anomaly.train."""

import sys

from uns_anomaly.train import run

if __name__ == "__main__":
    sys.exit(run())
