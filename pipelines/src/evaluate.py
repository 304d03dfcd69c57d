"""SageMaker entry script of the evaluate step: parses the arguments and runs uns_anomaly.evaluate."""

import sys

from uns_anomaly.evaluate import run

if __name__ == "__main__":
    sys.exit(run())
