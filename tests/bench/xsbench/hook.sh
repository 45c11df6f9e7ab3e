# The dom0 xenstore baseline: the same operations from a C client in dom0 (tests/bench/arm64.sh appends it to its hook).
xsbench /local/domain/0/bench-baseline 1000
