"""Anomaly autoencoder step code: preprocess, train, evaluate/export, and scoring.

One module per step; each runs in SageMaker's containers (through the entry scripts beside this
package) and locally (through :mod:`uns_anomaly.cli`).
"""
