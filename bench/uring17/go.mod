module tlsgate-bench-uring17

go 1.26
