#!/bin/sh
# Every figure of the README's Benchmarks section, in one run: the drawing and
# filtering benchmarks, heap and cost per tracked order, the polling benchmark
# and the capacity benchmark (about 15 minutes on 2 cores). Run from the
# repository root; the output is what the README quotes, with the date.
set -eu
date -u '+run on %Y-%m-%d %H:%M UTC'
go version
echo '## go test ./ui -bench (drawing, filtering, heap and cost per order)'
go test ./ui -run '^$' -bench 'Frame|BubblesTable|ApplyBatch|Rebuild' -benchmem -benchtime 2s
go test ./ui -run '^$' -bench 'FilterKeystroke|Frame/orders=100000' -benchtime 2s
go test ./ui -run '^$' -bench 'HeapPerOrder' -benchtime 3x
go test ./ui -run '^$' -bench 'EventCost' -benchtime 300x -count 3
echo '## orderwatch bench poll'
go run . bench poll
echo '## orderwatch bench load'
go run . bench load
