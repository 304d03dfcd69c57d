"""SageMaker entry script of the preprocess step: parses the arguments and runs uns_anomaly.preprocess."""

import sys

from uns_anomaly.preprocess import run

if __name__ == "__main__":
    sys.exit(run())
