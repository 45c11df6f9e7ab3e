# Baseline in the same boot: the same operations from a C client in dom0.
xsbench /local/domain/0/bench-baseline 1000
