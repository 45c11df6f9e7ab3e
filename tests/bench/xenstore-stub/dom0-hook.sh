# dom0 side of tests/bench/xenstore-stub.sh: xenstore reads, writes and
# watch-event latency from a C client in dom0 over /dev/xen/xenbus, against
# whichever server the lab booted with, three rounds; then destroy the only
# guest (xsguest of the conformance test, which just waits while nobody
# writes its data/xsconf-go).
for round in 1 2 3; do
    xsbench /local/domain/0/bench-xs 1000
    xswatch /local/domain/0/bench-watch 500
done
xl destroy "$DOMID"
