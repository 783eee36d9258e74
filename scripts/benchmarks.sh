#!/bin/sh
# Every figure of the README's Benchmarks section, in one run: the drawing and
# filtering benchmarks, heap and cost per tracked order, the polling benchmark
# and the capacity benchmark (about 25 minutes on 2 cores). Run from the
# repository root; the output is what the README quotes, with the date.
set -eu
date -u '+run on %Y-%m-%d %H:%M UTC'
go version
echo '## go test ./ui -bench (drawing, filtering, heap and cost per order)'
go test ./ui -run '^$' -bench 'Frame|BubblesTable|ApplyBatch|Rebuild' -benchmem -benchtime 2s
go test ./ui -run '^$' -bench 'FilterKeystroke|Frame/orders=100000' -benchtime 2s
go test ./ui -run '^$' -bench 'HeapPerOrder' -benchtime 3x
go test ./ui -run '^$' -bench 'EventCost' -benchtime 300x -count 5
# idle LABEL SETTLE SANDBOX-FLAGS...: the dashboard's CPU over 180 s in a
# 160x48 tmux pane, the sandbox in its own process, SETTLE seconds after start
# (a minute swung between 0.2 and 0.6 % of a core for one build on a shared
# machine; three average that out).
idle() {
	label=$1 settle=$2
	shift 2
	/tmp/orderwatch-idle sandbox "$@" >/tmp/orderwatch-idle.env &
	sb=$!
	sleep 2
	tmux new-session -d -s orderwatch-idle -x 160 -y 48 \
		"sh -c '. /tmp/orderwatch-idle.env; exec /tmp/orderwatch-idle --journal /tmp/orderwatch-idle.db'"
	sleep "$settle"
	pid=$(tmux list-panes -t orderwatch-idle -F '#{pane_pid}')
	a=$(awk '{print $14+$15}' /proc/$pid/stat)
	sleep 180
	b=$(awk '{print $14+$15}' /proc/$pid/stat)
	echo "$label over 180 s: $(echo "$a $b $(getconf CLK_TCK)" | awk '{printf "%.2f", ($2-$1)/$3/180*100}') % of a core"
	tmux kill-session -t orderwatch-idle
	kill $sb
	rm -f /tmp/orderwatch-idle.env /tmp/orderwatch-idle.db*
}
echo '## idle: the dashboard alone, sandbox in its own process (needs tmux)'
if command -v tmux >/dev/null; then
	go build -o /tmp/orderwatch-idle .
	idle "idle CPU" 10 --traffic 0
	# With history: 30 s of traffic (about 150 orders a provider, time 20x
	# faster so they finish), then quiet; measured once it has settled.
	idle "idle CPU with history" 150 --traffic 300 --traffic-for 30s --time-scale 0.05
	rm -f /tmp/orderwatch-idle
fi
echo '## orderwatch bench poll'
go run . bench poll
echo '## orderwatch bench load'
go run . bench load
