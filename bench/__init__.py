"""The benchmark suite `make bench` runs: in-process decision cost, then HTTP under wrk."""
