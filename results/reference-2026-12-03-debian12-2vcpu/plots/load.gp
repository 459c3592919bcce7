# rpcbench "Under load" plots: written by `rpcbench report`; run `gnuplot load.gp` in this folder.

# --- load-curve-fib
reset
set terminal svg size 1500,900 dynamic noenhanced font 'sans,12' background rgb 'white'
set output 'load-curve-fib.svg'
set grid
set key outside right top
set datafile missing 'n/a'
set multiplot layout 2,3
set logscale xy
set grid
unset key
set xlabel 'offered calls/s'
set title 'p50 latency (from intended send time)'
set ylabel 'p50 µs'
unset arrow 1
plot 'load-curve-fib.dat' index 0 using 1:2 with points pt 6 ps 0.8 lc rgb '#000000' notitle, 'load-curve-fib.dat' index 1 using 1:2 with points pt 6 ps 0.8 lc rgb '#e69f00' notitle, 'load-curve-fib.dat' index 2 using 1:2 with points pt 6 ps 0.8 lc rgb '#56b4e9' notitle, 'load-curve-fib.dat' index 3 using 1:2 with points pt 6 ps 0.8 lc rgb '#009e73' notitle, 'load-curve-fib.dat' index 4 using 1:2 with points pt 6 ps 0.8 lc rgb '#d55e00' notitle, 'load-curve-fib.dat' index 5 using 1:2 with points pt 6 ps 0.8 lc rgb '#0072b2' notitle, 'load-curve-fib.dat' index 6 using 1:2 with points pt 6 ps 0.8 lc rgb '#cc79a7' notitle, 'load-curve-fib.dat' index 7 using 1:2 with points pt 6 ps 0.8 lc rgb '#999999' notitle, 'load-curve-fib.dat' index 8 using 1:2 with points pt 6 ps 0.8 lc rgb '#8c564b' notitle
set title 'p99 latency (from intended send time)'
set ylabel 'p99 µs'
set arrow 1 from graph 0, first 2000 to graph 1, first 2000 nohead dt 2 lw 2 lc rgb 'red'
plot 'load-curve-fib.dat' index 0 using 1:3 with points pt 6 ps 0.8 lc rgb '#000000' notitle, '+' using (42622.1):(835.344) every ::0::0 with points pt 9 ps 2.2 lc rgb '#000000' notitle, 'load-curve-fib.dat' index 1 using 1:3 with points pt 6 ps 0.8 lc rgb '#e69f00' notitle, '+' using (684.211):(1622.12) every ::0::0 with points pt 9 ps 2.2 lc rgb '#e69f00' notitle, 'load-curve-fib.dat' index 2 using 1:3 with points pt 6 ps 0.8 lc rgb '#56b4e9' notitle, '+' using (1332.96):(1567.99) every ::0::0 with points pt 9 ps 2.2 lc rgb '#56b4e9' notitle, 'load-curve-fib.dat' index 3 using 1:3 with points pt 6 ps 0.8 lc rgb '#009e73' notitle, 'load-curve-fib.dat' index 4 using 1:3 with points pt 6 ps 0.8 lc rgb '#d55e00' notitle, '+' using (9938.54):(1767) every ::0::0 with points pt 9 ps 2.2 lc rgb '#d55e00' notitle, 'load-curve-fib.dat' index 5 using 1:3 with points pt 6 ps 0.8 lc rgb '#0072b2' notitle, '+' using (1608.34):(1753.08) every ::0::0 with points pt 9 ps 2.2 lc rgb '#0072b2' notitle, 'load-curve-fib.dat' index 6 using 1:3 with points pt 6 ps 0.8 lc rgb '#cc79a7' notitle, '+' using (8843.83):(1562.62) every ::0::0 with points pt 9 ps 2.2 lc rgb '#cc79a7' notitle, 'load-curve-fib.dat' index 7 using 1:3 with points pt 6 ps 0.8 lc rgb '#999999' notitle, '+' using (9378.07):(1069.95) every ::0::0 with points pt 9 ps 2.2 lc rgb '#999999' notitle, 'load-curve-fib.dat' index 8 using 1:3 with points pt 6 ps 0.8 lc rgb '#8c564b' notitle, '+' using (21132.3):(1936.98) every ::0::0 with points pt 9 ps 2.2 lc rgb '#8c564b' notitle
set title 'p99.9 latency (from intended send time)'
set ylabel 'p99.9 µs'
unset arrow 1
plot 'load-curve-fib.dat' index 0 using 1:4 with points pt 6 ps 0.8 lc rgb '#000000' notitle, 'load-curve-fib.dat' index 1 using 1:4 with points pt 6 ps 0.8 lc rgb '#e69f00' notitle, 'load-curve-fib.dat' index 2 using 1:4 with points pt 6 ps 0.8 lc rgb '#56b4e9' notitle, 'load-curve-fib.dat' index 3 using 1:4 with points pt 6 ps 0.8 lc rgb '#009e73' notitle, 'load-curve-fib.dat' index 4 using 1:4 with points pt 6 ps 0.8 lc rgb '#d55e00' notitle, 'load-curve-fib.dat' index 5 using 1:4 with points pt 6 ps 0.8 lc rgb '#0072b2' notitle, 'load-curve-fib.dat' index 6 using 1:4 with points pt 6 ps 0.8 lc rgb '#cc79a7' notitle, 'load-curve-fib.dat' index 7 using 1:4 with points pt 6 ps 0.8 lc rgb '#999999' notitle, 'load-curve-fib.dat' index 8 using 1:4 with points pt 6 ps 0.8 lc rgb '#8c564b' notitle
unset logscale y
set yrange [0:1.1]
set title 'achieved / offered (1: the rate was kept)'
set ylabel 'achieved / offered'
unset arrow 1
plot 'load-curve-fib.dat' index 0 using 1:($5/$1) with points pt 6 ps 0.8 lc rgb '#000000' notitle, 'load-curve-fib.dat' index 1 using 1:($5/$1) with points pt 6 ps 0.8 lc rgb '#e69f00' notitle, 'load-curve-fib.dat' index 2 using 1:($5/$1) with points pt 6 ps 0.8 lc rgb '#56b4e9' notitle, 'load-curve-fib.dat' index 3 using 1:($5/$1) with points pt 6 ps 0.8 lc rgb '#009e73' notitle, 'load-curve-fib.dat' index 4 using 1:($5/$1) with points pt 6 ps 0.8 lc rgb '#d55e00' notitle, 'load-curve-fib.dat' index 5 using 1:($5/$1) with points pt 6 ps 0.8 lc rgb '#0072b2' notitle, 'load-curve-fib.dat' index 6 using 1:($5/$1) with points pt 6 ps 0.8 lc rgb '#cc79a7' notitle, 'load-curve-fib.dat' index 7 using 1:($5/$1) with points pt 6 ps 0.8 lc rgb '#999999' notitle, 'load-curve-fib.dat' index 8 using 1:($5/$1) with points pt 6 ps 0.8 lc rgb '#8c564b' notitle
unset arrow 1
unset logscale
unset border
unset tics
unset grid
unset xlabel
unset ylabel
set title 'dashed red: the SLO bound; triangle: the knee (the highest rate that held)'
set key center center box
set xrange [0:1]
set yrange [0:1]
plot NaN with points pt 6 ps 0.8 lc rgb '#000000' title 'tcp (SLO search steps)', NaN with points pt 6 ps 0.8 lc rgb '#e69f00' title 'amqp (SLO search steps)', NaN with points pt 6 ps 0.8 lc rgb '#56b4e9' title 'amqp-queue (SLO search steps)', NaN with points pt 6 ps 0.8 lc rgb '#009e73' title 'amqp-durable (SLO search steps)', NaN with points pt 6 ps 0.8 lc rgb '#d55e00' title 'xmlrpc (SLO search steps)', NaN with points pt 6 ps 0.8 lc rgb '#0072b2' title 'xmlrpc-close (SLO search steps)', NaN with points pt 6 ps 0.8 lc rgb '#cc79a7' title 'zmq (SLO search steps)', NaN with points pt 6 ps 0.8 lc rgb '#999999' title 'grpc (SLO search steps)', NaN with points pt 6 ps 0.8 lc rgb '#8c564b' title 'rest (SLO search steps)'
unset multiplot
unset xrange
unset yrange
unset output
reset
set terminal pngcairo size 1500,900 noenhanced font 'sans,10' background rgb 'white'
set output 'load-curve-fib.png'
set grid
set key outside right top
set datafile missing 'n/a'
set multiplot layout 2,3
set logscale xy
set grid
unset key
set xlabel 'offered calls/s'
set title 'p50 latency (from intended send time)'
set ylabel 'p50 µs'
unset arrow 1
plot 'load-curve-fib.dat' index 0 using 1:2 with points pt 6 ps 0.8 lc rgb '#000000' notitle, 'load-curve-fib.dat' index 1 using 1:2 with points pt 6 ps 0.8 lc rgb '#e69f00' notitle, 'load-curve-fib.dat' index 2 using 1:2 with points pt 6 ps 0.8 lc rgb '#56b4e9' notitle, 'load-curve-fib.dat' index 3 using 1:2 with points pt 6 ps 0.8 lc rgb '#009e73' notitle, 'load-curve-fib.dat' index 4 using 1:2 with points pt 6 ps 0.8 lc rgb '#d55e00' notitle, 'load-curve-fib.dat' index 5 using 1:2 with points pt 6 ps 0.8 lc rgb '#0072b2' notitle, 'load-curve-fib.dat' index 6 using 1:2 with points pt 6 ps 0.8 lc rgb '#cc79a7' notitle, 'load-curve-fib.dat' index 7 using 1:2 with points pt 6 ps 0.8 lc rgb '#999999' notitle, 'load-curve-fib.dat' index 8 using 1:2 with points pt 6 ps 0.8 lc rgb '#8c564b' notitle
set title 'p99 latency (from intended send time)'
set ylabel 'p99 µs'
set arrow 1 from graph 0, first 2000 to graph 1, first 2000 nohead dt 2 lw 2 lc rgb 'red'
plot 'load-curve-fib.dat' index 0 using 1:3 with points pt 6 ps 0.8 lc rgb '#000000' notitle, '+' using (42622.1):(835.344) every ::0::0 with points pt 9 ps 2.2 lc rgb '#000000' notitle, 'load-curve-fib.dat' index 1 using 1:3 with points pt 6 ps 0.8 lc rgb '#e69f00' notitle, '+' using (684.211):(1622.12) every ::0::0 with points pt 9 ps 2.2 lc rgb '#e69f00' notitle, 'load-curve-fib.dat' index 2 using 1:3 with points pt 6 ps 0.8 lc rgb '#56b4e9' notitle, '+' using (1332.96):(1567.99) every ::0::0 with points pt 9 ps 2.2 lc rgb '#56b4e9' notitle, 'load-curve-fib.dat' index 3 using 1:3 with points pt 6 ps 0.8 lc rgb '#009e73' notitle, 'load-curve-fib.dat' index 4 using 1:3 with points pt 6 ps 0.8 lc rgb '#d55e00' notitle, '+' using (9938.54):(1767) every ::0::0 with points pt 9 ps 2.2 lc rgb '#d55e00' notitle, 'load-curve-fib.dat' index 5 using 1:3 with points pt 6 ps 0.8 lc rgb '#0072b2' notitle, '+' using (1608.34):(1753.08) every ::0::0 with points pt 9 ps 2.2 lc rgb '#0072b2' notitle, 'load-curve-fib.dat' index 6 using 1:3 with points pt 6 ps 0.8 lc rgb '#cc79a7' notitle, '+' using (8843.83):(1562.62) every ::0::0 with points pt 9 ps 2.2 lc rgb '#cc79a7' notitle, 'load-curve-fib.dat' index 7 using 1:3 with points pt 6 ps 0.8 lc rgb '#999999' notitle, '+' using (9378.07):(1069.95) every ::0::0 with points pt 9 ps 2.2 lc rgb '#999999' notitle, 'load-curve-fib.dat' index 8 using 1:3 with points pt 6 ps 0.8 lc rgb '#8c564b' notitle, '+' using (21132.3):(1936.98) every ::0::0 with points pt 9 ps 2.2 lc rgb '#8c564b' notitle
set title 'p99.9 latency (from intended send time)'
set ylabel 'p99.9 µs'
unset arrow 1
plot 'load-curve-fib.dat' index 0 using 1:4 with points pt 6 ps 0.8 lc rgb '#000000' notitle, 'load-curve-fib.dat' index 1 using 1:4 with points pt 6 ps 0.8 lc rgb '#e69f00' notitle, 'load-curve-fib.dat' index 2 using 1:4 with points pt 6 ps 0.8 lc rgb '#56b4e9' notitle, 'load-curve-fib.dat' index 3 using 1:4 with points pt 6 ps 0.8 lc rgb '#009e73' notitle, 'load-curve-fib.dat' index 4 using 1:4 with points pt 6 ps 0.8 lc rgb '#d55e00' notitle, 'load-curve-fib.dat' index 5 using 1:4 with points pt 6 ps 0.8 lc rgb '#0072b2' notitle, 'load-curve-fib.dat' index 6 using 1:4 with points pt 6 ps 0.8 lc rgb '#cc79a7' notitle, 'load-curve-fib.dat' index 7 using 1:4 with points pt 6 ps 0.8 lc rgb '#999999' notitle, 'load-curve-fib.dat' index 8 using 1:4 with points pt 6 ps 0.8 lc rgb '#8c564b' notitle
unset logscale y
set yrange [0:1.1]
set title 'achieved / offered (1: the rate was kept)'
set ylabel 'achieved / offered'
unset arrow 1
plot 'load-curve-fib.dat' index 0 using 1:($5/$1) with points pt 6 ps 0.8 lc rgb '#000000' notitle, 'load-curve-fib.dat' index 1 using 1:($5/$1) with points pt 6 ps 0.8 lc rgb '#e69f00' notitle, 'load-curve-fib.dat' index 2 using 1:($5/$1) with points pt 6 ps 0.8 lc rgb '#56b4e9' notitle, 'load-curve-fib.dat' index 3 using 1:($5/$1) with points pt 6 ps 0.8 lc rgb '#009e73' notitle, 'load-curve-fib.dat' index 4 using 1:($5/$1) with points pt 6 ps 0.8 lc rgb '#d55e00' notitle, 'load-curve-fib.dat' index 5 using 1:($5/$1) with points pt 6 ps 0.8 lc rgb '#0072b2' notitle, 'load-curve-fib.dat' index 6 using 1:($5/$1) with points pt 6 ps 0.8 lc rgb '#cc79a7' notitle, 'load-curve-fib.dat' index 7 using 1:($5/$1) with points pt 6 ps 0.8 lc rgb '#999999' notitle, 'load-curve-fib.dat' index 8 using 1:($5/$1) with points pt 6 ps 0.8 lc rgb '#8c564b' notitle
unset arrow 1
unset logscale
unset border
unset tics
unset grid
unset xlabel
unset ylabel
set title 'dashed red: the SLO bound; triangle: the knee (the highest rate that held)'
set key center center box
set xrange [0:1]
set yrange [0:1]
plot NaN with points pt 6 ps 0.8 lc rgb '#000000' title 'tcp (SLO search steps)', NaN with points pt 6 ps 0.8 lc rgb '#e69f00' title 'amqp (SLO search steps)', NaN with points pt 6 ps 0.8 lc rgb '#56b4e9' title 'amqp-queue (SLO search steps)', NaN with points pt 6 ps 0.8 lc rgb '#009e73' title 'amqp-durable (SLO search steps)', NaN with points pt 6 ps 0.8 lc rgb '#d55e00' title 'xmlrpc (SLO search steps)', NaN with points pt 6 ps 0.8 lc rgb '#0072b2' title 'xmlrpc-close (SLO search steps)', NaN with points pt 6 ps 0.8 lc rgb '#cc79a7' title 'zmq (SLO search steps)', NaN with points pt 6 ps 0.8 lc rgb '#999999' title 'grpc (SLO search steps)', NaN with points pt 6 ps 0.8 lc rgb '#8c564b' title 'rest (SLO search steps)'
unset multiplot
unset xrange
unset yrange
unset output

# --- load-timeline-fib-slo
reset
set terminal svg size 1100,2130 dynamic noenhanced font 'sans,12' background rgb 'white'
set output 'load-timeline-fib-slo.svg'
set grid
set key outside right top
set datafile missing 'n/a'
set multiplot layout 9,1
set grid
set key outside right top
set ylabel 'calls/s'
set y2label 'p99 µs'
set logscale y2
set ytics nomirror
set y2tics
set yrange [0:*]
set title 'tcp: confirming run at 42622 calls/s'
set xlabel ''
set arrow 1 from first 1, graph 0 to first 1, graph 1 nohead dt 3 lc rgb '#555555'
plot 'load-timeline-fib-slo.dat' index 0 using 1:2 with steps lw 1.5 lc rgb '#1f77b4' title 'achieved', '' index 0 using 6:5 axes x1y2 with linespoints pt 7 ps 0.4 lw 1.5 lc rgb '#ff7f0e' title 'p99', '' index 0 using 1:3 with steps lw 3 dt 2 lc rgb '#888888' title 'offered'
set title 'amqp: confirming run at 2451 calls/s'
set xlabel ''
set arrow 1 from first 1, graph 0 to first 1, graph 1 nohead dt 3 lc rgb '#555555'
plot 'load-timeline-fib-slo.dat' index 1 using 1:2 with steps lw 1.5 lc rgb '#1f77b4' title 'achieved', '' index 1 using 6:5 axes x1y2 with linespoints pt 7 ps 0.4 lw 1.5 lc rgb '#ff7f0e' title 'p99', '' index 1 using 1:3 with steps lw 3 dt 2 lc rgb '#888888' title 'offered'
set title 'amqp-queue: confirming run at 1333 calls/s'
set xlabel ''
set arrow 1 from first 1, graph 0 to first 1, graph 1 nohead dt 3 lc rgb '#555555'
plot 'load-timeline-fib-slo.dat' index 2 using 1:2 with steps lw 1.5 lc rgb '#1f77b4' title 'achieved', '' index 2 using 6:5 axes x1y2 with linespoints pt 7 ps 0.4 lw 1.5 lc rgb '#ff7f0e' title 'p99', '' index 2 using 1:3 with steps lw 3 dt 2 lc rgb '#888888' title 'offered'
set title 'amqp-durable: confirming run at 400 calls/s'
set xlabel ''
set arrow 1 from first 1, graph 0 to first 1, graph 1 nohead dt 3 lc rgb '#555555'
plot 'load-timeline-fib-slo.dat' index 3 using 1:2 with steps lw 1.5 lc rgb '#1f77b4' title 'achieved', '' index 3 using 6:5 axes x1y2 with linespoints pt 7 ps 0.4 lw 1.5 lc rgb '#ff7f0e' title 'p99', '' index 3 using 1:3 with steps lw 3 dt 2 lc rgb '#888888' title 'offered'
set title 'xmlrpc: confirming run at 9939 calls/s'
set xlabel ''
set arrow 1 from first 1, graph 0 to first 1, graph 1 nohead dt 3 lc rgb '#555555'
plot 'load-timeline-fib-slo.dat' index 4 using 1:2 with steps lw 1.5 lc rgb '#1f77b4' title 'achieved', '' index 4 using 6:5 axes x1y2 with linespoints pt 7 ps 0.4 lw 1.5 lc rgb '#ff7f0e' title 'p99', '' index 4 using 1:3 with steps lw 3 dt 2 lc rgb '#888888' title 'offered'
set title 'xmlrpc-close: confirming run at 1956 calls/s'
set xlabel ''
set arrow 1 from first 1, graph 0 to first 1, graph 1 nohead dt 3 lc rgb '#555555'
plot 'load-timeline-fib-slo.dat' index 5 using 1:2 with steps lw 1.5 lc rgb '#1f77b4' title 'achieved', '' index 5 using 6:5 axes x1y2 with linespoints pt 7 ps 0.4 lw 1.5 lc rgb '#ff7f0e' title 'p99', '' index 5 using 1:3 with steps lw 3 dt 2 lc rgb '#888888' title 'offered'
set title 'zmq: confirming run at 9939 calls/s'
set xlabel ''
set arrow 1 from first 1, graph 0 to first 1, graph 1 nohead dt 3 lc rgb '#555555'
plot 'load-timeline-fib-slo.dat' index 6 using 1:2 with steps lw 1.5 lc rgb '#1f77b4' title 'achieved', '' index 6 using 6:5 axes x1y2 with linespoints pt 7 ps 0.4 lw 1.5 lc rgb '#ff7f0e' title 'p99', '' index 6 using 1:3 with steps lw 3 dt 2 lc rgb '#888888' title 'offered'
set title 'grpc: confirming run at 9378 calls/s'
set xlabel ''
set arrow 1 from first 1, graph 0 to first 1, graph 1 nohead dt 3 lc rgb '#555555'
plot 'load-timeline-fib-slo.dat' index 7 using 1:2 with steps lw 1.5 lc rgb '#1f77b4' title 'achieved', '' index 7 using 6:5 axes x1y2 with linespoints pt 7 ps 0.4 lw 1.5 lc rgb '#ff7f0e' title 'p99', '' index 7 using 1:3 with steps lw 3 dt 2 lc rgb '#888888' title 'offered'
set title 'rest: confirming run at 9913 calls/s'
set xlabel 'seconds into the measured window (dashed line: its end)'
set arrow 1 from first 1, graph 0 to first 1, graph 1 nohead dt 3 lc rgb '#555555'
plot 'load-timeline-fib-slo.dat' index 8 using 1:2 with steps lw 1.5 lc rgb '#1f77b4' title 'achieved', '' index 8 using 6:5 axes x1y2 with linespoints pt 7 ps 0.4 lw 1.5 lc rgb '#ff7f0e' title 'p99', '' index 8 using 1:3 with steps lw 3 dt 2 lc rgb '#888888' title 'offered'
unset multiplot
unset output
reset
set terminal pngcairo size 1100,2130 noenhanced font 'sans,10' background rgb 'white'
set output 'load-timeline-fib-slo.png'
set grid
set key outside right top
set datafile missing 'n/a'
set multiplot layout 9,1
set grid
set key outside right top
set ylabel 'calls/s'
set y2label 'p99 µs'
set logscale y2
set ytics nomirror
set y2tics
set yrange [0:*]
set title 'tcp: confirming run at 42622 calls/s'
set xlabel ''
set arrow 1 from first 1, graph 0 to first 1, graph 1 nohead dt 3 lc rgb '#555555'
plot 'load-timeline-fib-slo.dat' index 0 using 1:2 with steps lw 1.5 lc rgb '#1f77b4' title 'achieved', '' index 0 using 6:5 axes x1y2 with linespoints pt 7 ps 0.4 lw 1.5 lc rgb '#ff7f0e' title 'p99', '' index 0 using 1:3 with steps lw 3 dt 2 lc rgb '#888888' title 'offered'
set title 'amqp: confirming run at 2451 calls/s'
set xlabel ''
set arrow 1 from first 1, graph 0 to first 1, graph 1 nohead dt 3 lc rgb '#555555'
plot 'load-timeline-fib-slo.dat' index 1 using 1:2 with steps lw 1.5 lc rgb '#1f77b4' title 'achieved', '' index 1 using 6:5 axes x1y2 with linespoints pt 7 ps 0.4 lw 1.5 lc rgb '#ff7f0e' title 'p99', '' index 1 using 1:3 with steps lw 3 dt 2 lc rgb '#888888' title 'offered'
set title 'amqp-queue: confirming run at 1333 calls/s'
set xlabel ''
set arrow 1 from first 1, graph 0 to first 1, graph 1 nohead dt 3 lc rgb '#555555'
plot 'load-timeline-fib-slo.dat' index 2 using 1:2 with steps lw 1.5 lc rgb '#1f77b4' title 'achieved', '' index 2 using 6:5 axes x1y2 with linespoints pt 7 ps 0.4 lw 1.5 lc rgb '#ff7f0e' title 'p99', '' index 2 using 1:3 with steps lw 3 dt 2 lc rgb '#888888' title 'offered'
set title 'amqp-durable: confirming run at 400 calls/s'
set xlabel ''
set arrow 1 from first 1, graph 0 to first 1, graph 1 nohead dt 3 lc rgb '#555555'
plot 'load-timeline-fib-slo.dat' index 3 using 1:2 with steps lw 1.5 lc rgb '#1f77b4' title 'achieved', '' index 3 using 6:5 axes x1y2 with linespoints pt 7 ps 0.4 lw 1.5 lc rgb '#ff7f0e' title 'p99', '' index 3 using 1:3 with steps lw 3 dt 2 lc rgb '#888888' title 'offered'
set title 'xmlrpc: confirming run at 9939 calls/s'
set xlabel ''
set arrow 1 from first 1, graph 0 to first 1, graph 1 nohead dt 3 lc rgb '#555555'
plot 'load-timeline-fib-slo.dat' index 4 using 1:2 with steps lw 1.5 lc rgb '#1f77b4' title 'achieved', '' index 4 using 6:5 axes x1y2 with linespoints pt 7 ps 0.4 lw 1.5 lc rgb '#ff7f0e' title 'p99', '' index 4 using 1:3 with steps lw 3 dt 2 lc rgb '#888888' title 'offered'
set title 'xmlrpc-close: confirming run at 1956 calls/s'
set xlabel ''
set arrow 1 from first 1, graph 0 to first 1, graph 1 nohead dt 3 lc rgb '#555555'
plot 'load-timeline-fib-slo.dat' index 5 using 1:2 with steps lw 1.5 lc rgb '#1f77b4' title 'achieved', '' index 5 using 6:5 axes x1y2 with linespoints pt 7 ps 0.4 lw 1.5 lc rgb '#ff7f0e' title 'p99', '' index 5 using 1:3 with steps lw 3 dt 2 lc rgb '#888888' title 'offered'
set title 'zmq: confirming run at 9939 calls/s'
set xlabel ''
set arrow 1 from first 1, graph 0 to first 1, graph 1 nohead dt 3 lc rgb '#555555'
plot 'load-timeline-fib-slo.dat' index 6 using 1:2 with steps lw 1.5 lc rgb '#1f77b4' title 'achieved', '' index 6 using 6:5 axes x1y2 with linespoints pt 7 ps 0.4 lw 1.5 lc rgb '#ff7f0e' title 'p99', '' index 6 using 1:3 with steps lw 3 dt 2 lc rgb '#888888' title 'offered'
set title 'grpc: confirming run at 9378 calls/s'
set xlabel ''
set arrow 1 from first 1, graph 0 to first 1, graph 1 nohead dt 3 lc rgb '#555555'
plot 'load-timeline-fib-slo.dat' index 7 using 1:2 with steps lw 1.5 lc rgb '#1f77b4' title 'achieved', '' index 7 using 6:5 axes x1y2 with linespoints pt 7 ps 0.4 lw 1.5 lc rgb '#ff7f0e' title 'p99', '' index 7 using 1:3 with steps lw 3 dt 2 lc rgb '#888888' title 'offered'
set title 'rest: confirming run at 9913 calls/s'
set xlabel 'seconds into the measured window (dashed line: its end)'
set arrow 1 from first 1, graph 0 to first 1, graph 1 nohead dt 3 lc rgb '#555555'
plot 'load-timeline-fib-slo.dat' index 8 using 1:2 with steps lw 1.5 lc rgb '#1f77b4' title 'achieved', '' index 8 using 6:5 axes x1y2 with linespoints pt 7 ps 0.4 lw 1.5 lc rgb '#ff7f0e' title 'p99', '' index 8 using 1:3 with steps lw 3 dt 2 lc rgb '#888888' title 'offered'
unset multiplot
unset output

# --- load-timeline-getObj-closed
reset
set terminal svg size 1100,2130 dynamic noenhanced font 'sans,12' background rgb 'white'
set output 'load-timeline-getObj-closed.svg'
set grid
set key outside right top
set datafile missing 'n/a'
set multiplot layout 9,1
set grid
set key outside right top
set ylabel 'calls/s'
set y2label 'p99 µs'
set logscale y2
set ytics nomirror
set y2tics
set yrange [0:*]
set title 'tcp, 4 connection(s), closed loop'
set xlabel ''
set arrow 1 from first 1.0002, graph 0 to first 1.0002, graph 1 nohead dt 3 lc rgb '#555555'
plot 'load-timeline-getObj-closed.dat' index 0 using 1:2 with steps lw 1.5 lc rgb '#1f77b4' title 'achieved', '' index 0 using 6:5 axes x1y2 with linespoints pt 7 ps 0.4 lw 1.5 lc rgb '#ff7f0e' title 'p99'
set title 'amqp, 4 connection(s), closed loop'
set xlabel ''
set arrow 1 from first 1.00043, graph 0 to first 1.00043, graph 1 nohead dt 3 lc rgb '#555555'
plot 'load-timeline-getObj-closed.dat' index 1 using 1:2 with steps lw 1.5 lc rgb '#1f77b4' title 'achieved', '' index 1 using 6:5 axes x1y2 with linespoints pt 7 ps 0.4 lw 1.5 lc rgb '#ff7f0e' title 'p99'
set title 'amqp-queue, 4 connection(s), closed loop'
set xlabel ''
set arrow 1 from first 1.00039, graph 0 to first 1.00039, graph 1 nohead dt 3 lc rgb '#555555'
plot 'load-timeline-getObj-closed.dat' index 2 using 1:2 with steps lw 1.5 lc rgb '#1f77b4' title 'achieved', '' index 2 using 6:5 axes x1y2 with linespoints pt 7 ps 0.4 lw 1.5 lc rgb '#ff7f0e' title 'p99'
set title 'amqp-durable, 4 connection(s), closed loop'
set xlabel ''
set arrow 1 from first 1.00083, graph 0 to first 1.00083, graph 1 nohead dt 3 lc rgb '#555555'
plot 'load-timeline-getObj-closed.dat' index 3 using 1:2 with steps lw 1.5 lc rgb '#1f77b4' title 'achieved', '' index 3 using 6:5 axes x1y2 with linespoints pt 7 ps 0.4 lw 1.5 lc rgb '#ff7f0e' title 'p99'
set title 'xmlrpc, 4 connection(s), closed loop'
set xlabel ''
set arrow 1 from first 1.00065, graph 0 to first 1.00065, graph 1 nohead dt 3 lc rgb '#555555'
plot 'load-timeline-getObj-closed.dat' index 4 using 1:2 with steps lw 1.5 lc rgb '#1f77b4' title 'achieved', '' index 4 using 6:5 axes x1y2 with linespoints pt 7 ps 0.4 lw 1.5 lc rgb '#ff7f0e' title 'p99'
set title 'xmlrpc-close, 4 connection(s), closed loop'
set xlabel ''
set arrow 1 from first 1.00095, graph 0 to first 1.00095, graph 1 nohead dt 3 lc rgb '#555555'
plot 'load-timeline-getObj-closed.dat' index 5 using 1:2 with steps lw 1.5 lc rgb '#1f77b4' title 'achieved', '' index 5 using 6:5 axes x1y2 with linespoints pt 7 ps 0.4 lw 1.5 lc rgb '#ff7f0e' title 'p99'
set title 'zmq, 4 connection(s), closed loop'
set xlabel ''
set arrow 1 from first 1.00021, graph 0 to first 1.00021, graph 1 nohead dt 3 lc rgb '#555555'
plot 'load-timeline-getObj-closed.dat' index 6 using 1:2 with steps lw 1.5 lc rgb '#1f77b4' title 'achieved', '' index 6 using 6:5 axes x1y2 with linespoints pt 7 ps 0.4 lw 1.5 lc rgb '#ff7f0e' title 'p99'
set title 'grpc, 4 connection(s), closed loop'
set xlabel ''
set arrow 1 from first 1.00012, graph 0 to first 1.00012, graph 1 nohead dt 3 lc rgb '#555555'
plot 'load-timeline-getObj-closed.dat' index 7 using 1:2 with steps lw 1.5 lc rgb '#1f77b4' title 'achieved', '' index 7 using 6:5 axes x1y2 with linespoints pt 7 ps 0.4 lw 1.5 lc rgb '#ff7f0e' title 'p99'
set title 'rest, 4 connection(s), closed loop'
set xlabel 'seconds into the measured window (dashed line: its end)'
set arrow 1 from first 1.0008, graph 0 to first 1.0008, graph 1 nohead dt 3 lc rgb '#555555'
plot 'load-timeline-getObj-closed.dat' index 8 using 1:2 with steps lw 1.5 lc rgb '#1f77b4' title 'achieved', '' index 8 using 6:5 axes x1y2 with linespoints pt 7 ps 0.4 lw 1.5 lc rgb '#ff7f0e' title 'p99'
unset multiplot
unset output
reset
set terminal pngcairo size 1100,2130 noenhanced font 'sans,10' background rgb 'white'
set output 'load-timeline-getObj-closed.png'
set grid
set key outside right top
set datafile missing 'n/a'
set multiplot layout 9,1
set grid
set key outside right top
set ylabel 'calls/s'
set y2label 'p99 µs'
set logscale y2
set ytics nomirror
set y2tics
set yrange [0:*]
set title 'tcp, 4 connection(s), closed loop'
set xlabel ''
set arrow 1 from first 1.0002, graph 0 to first 1.0002, graph 1 nohead dt 3 lc rgb '#555555'
plot 'load-timeline-getObj-closed.dat' index 0 using 1:2 with steps lw 1.5 lc rgb '#1f77b4' title 'achieved', '' index 0 using 6:5 axes x1y2 with linespoints pt 7 ps 0.4 lw 1.5 lc rgb '#ff7f0e' title 'p99'
set title 'amqp, 4 connection(s), closed loop'
set xlabel ''
set arrow 1 from first 1.00043, graph 0 to first 1.00043, graph 1 nohead dt 3 lc rgb '#555555'
plot 'load-timeline-getObj-closed.dat' index 1 using 1:2 with steps lw 1.5 lc rgb '#1f77b4' title 'achieved', '' index 1 using 6:5 axes x1y2 with linespoints pt 7 ps 0.4 lw 1.5 lc rgb '#ff7f0e' title 'p99'
set title 'amqp-queue, 4 connection(s), closed loop'
set xlabel ''
set arrow 1 from first 1.00039, graph 0 to first 1.00039, graph 1 nohead dt 3 lc rgb '#555555'
plot 'load-timeline-getObj-closed.dat' index 2 using 1:2 with steps lw 1.5 lc rgb '#1f77b4' title 'achieved', '' index 2 using 6:5 axes x1y2 with linespoints pt 7 ps 0.4 lw 1.5 lc rgb '#ff7f0e' title 'p99'
set title 'amqp-durable, 4 connection(s), closed loop'
set xlabel ''
set arrow 1 from first 1.00083, graph 0 to first 1.00083, graph 1 nohead dt 3 lc rgb '#555555'
plot 'load-timeline-getObj-closed.dat' index 3 using 1:2 with steps lw 1.5 lc rgb '#1f77b4' title 'achieved', '' index 3 using 6:5 axes x1y2 with linespoints pt 7 ps 0.4 lw 1.5 lc rgb '#ff7f0e' title 'p99'
set title 'xmlrpc, 4 connection(s), closed loop'
set xlabel ''
set arrow 1 from first 1.00065, graph 0 to first 1.00065, graph 1 nohead dt 3 lc rgb '#555555'
plot 'load-timeline-getObj-closed.dat' index 4 using 1:2 with steps lw 1.5 lc rgb '#1f77b4' title 'achieved', '' index 4 using 6:5 axes x1y2 with linespoints pt 7 ps 0.4 lw 1.5 lc rgb '#ff7f0e' title 'p99'
set title 'xmlrpc-close, 4 connection(s), closed loop'
set xlabel ''
set arrow 1 from first 1.00095, graph 0 to first 1.00095, graph 1 nohead dt 3 lc rgb '#555555'
plot 'load-timeline-getObj-closed.dat' index 5 using 1:2 with steps lw 1.5 lc rgb '#1f77b4' title 'achieved', '' index 5 using 6:5 axes x1y2 with linespoints pt 7 ps 0.4 lw 1.5 lc rgb '#ff7f0e' title 'p99'
set title 'zmq, 4 connection(s), closed loop'
set xlabel ''
set arrow 1 from first 1.00021, graph 0 to first 1.00021, graph 1 nohead dt 3 lc rgb '#555555'
plot 'load-timeline-getObj-closed.dat' index 6 using 1:2 with steps lw 1.5 lc rgb '#1f77b4' title 'achieved', '' index 6 using 6:5 axes x1y2 with linespoints pt 7 ps 0.4 lw 1.5 lc rgb '#ff7f0e' title 'p99'
set title 'grpc, 4 connection(s), closed loop'
set xlabel ''
set arrow 1 from first 1.00012, graph 0 to first 1.00012, graph 1 nohead dt 3 lc rgb '#555555'
plot 'load-timeline-getObj-closed.dat' index 7 using 1:2 with steps lw 1.5 lc rgb '#1f77b4' title 'achieved', '' index 7 using 6:5 axes x1y2 with linespoints pt 7 ps 0.4 lw 1.5 lc rgb '#ff7f0e' title 'p99'
set title 'rest, 4 connection(s), closed loop'
set xlabel 'seconds into the measured window (dashed line: its end)'
set arrow 1 from first 1.0008, graph 0 to first 1.0008, graph 1 nohead dt 3 lc rgb '#555555'
plot 'load-timeline-getObj-closed.dat' index 8 using 1:2 with steps lw 1.5 lc rgb '#1f77b4' title 'achieved', '' index 8 using 6:5 axes x1y2 with linespoints pt 7 ps 0.4 lw 1.5 lc rgb '#ff7f0e' title 'p99'
unset multiplot
unset output

# --- load-timeline-sendObj-closed
reset
set terminal svg size 1100,2130 dynamic noenhanced font 'sans,12' background rgb 'white'
set output 'load-timeline-sendObj-closed.svg'
set grid
set key outside right top
set datafile missing 'n/a'
set multiplot layout 9,1
set grid
set key outside right top
set ylabel 'calls/s'
set y2label 'p99 µs'
set logscale y2
set ytics nomirror
set y2tics
set yrange [0:*]
set title 'tcp, 4 connection(s), closed loop'
set xlabel ''
set arrow 1 from first 1.0002, graph 0 to first 1.0002, graph 1 nohead dt 3 lc rgb '#555555'
plot 'load-timeline-sendObj-closed.dat' index 0 using 1:2 with steps lw 1.5 lc rgb '#1f77b4' title 'achieved', '' index 0 using 6:5 axes x1y2 with linespoints pt 7 ps 0.4 lw 1.5 lc rgb '#ff7f0e' title 'p99'
set title 'amqp, 4 connection(s), closed loop'
set xlabel ''
set arrow 1 from first 1.00063, graph 0 to first 1.00063, graph 1 nohead dt 3 lc rgb '#555555'
plot 'load-timeline-sendObj-closed.dat' index 1 using 1:2 with steps lw 1.5 lc rgb '#1f77b4' title 'achieved', '' index 1 using 6:5 axes x1y2 with linespoints pt 7 ps 0.4 lw 1.5 lc rgb '#ff7f0e' title 'p99'
set title 'amqp-queue, 4 connection(s), closed loop'
set xlabel ''
set arrow 1 from first 1.0004, graph 0 to first 1.0004, graph 1 nohead dt 3 lc rgb '#555555'
plot 'load-timeline-sendObj-closed.dat' index 2 using 1:2 with steps lw 1.5 lc rgb '#1f77b4' title 'achieved', '' index 2 using 6:5 axes x1y2 with linespoints pt 7 ps 0.4 lw 1.5 lc rgb '#ff7f0e' title 'p99'
set title 'amqp-durable, 4 connection(s), closed loop'
set xlabel ''
set arrow 1 from first 1.0015, graph 0 to first 1.0015, graph 1 nohead dt 3 lc rgb '#555555'
plot 'load-timeline-sendObj-closed.dat' index 3 using 1:2 with steps lw 1.5 lc rgb '#1f77b4' title 'achieved', '' index 3 using 6:5 axes x1y2 with linespoints pt 7 ps 0.4 lw 1.5 lc rgb '#ff7f0e' title 'p99'
set title 'xmlrpc, 4 connection(s), closed loop'
set xlabel ''
set arrow 1 from first 1.00036, graph 0 to first 1.00036, graph 1 nohead dt 3 lc rgb '#555555'
plot 'load-timeline-sendObj-closed.dat' index 4 using 1:2 with steps lw 1.5 lc rgb '#1f77b4' title 'achieved', '' index 4 using 6:5 axes x1y2 with linespoints pt 7 ps 0.4 lw 1.5 lc rgb '#ff7f0e' title 'p99'
set title 'xmlrpc-close, 4 connection(s), closed loop'
set xlabel ''
set arrow 1 from first 1.00207, graph 0 to first 1.00207, graph 1 nohead dt 3 lc rgb '#555555'
plot 'load-timeline-sendObj-closed.dat' index 5 using 1:2 with steps lw 1.5 lc rgb '#1f77b4' title 'achieved', '' index 5 using 6:5 axes x1y2 with linespoints pt 7 ps 0.4 lw 1.5 lc rgb '#ff7f0e' title 'p99'
set title 'zmq, 4 connection(s), closed loop'
set xlabel ''
set arrow 1 from first 1.00016, graph 0 to first 1.00016, graph 1 nohead dt 3 lc rgb '#555555'
plot 'load-timeline-sendObj-closed.dat' index 6 using 1:2 with steps lw 1.5 lc rgb '#1f77b4' title 'achieved', '' index 6 using 6:5 axes x1y2 with linespoints pt 7 ps 0.4 lw 1.5 lc rgb '#ff7f0e' title 'p99'
set title 'grpc, 4 connection(s), closed loop'
set xlabel ''
set arrow 1 from first 1.00011, graph 0 to first 1.00011, graph 1 nohead dt 3 lc rgb '#555555'
plot 'load-timeline-sendObj-closed.dat' index 7 using 1:2 with steps lw 1.5 lc rgb '#1f77b4' title 'achieved', '' index 7 using 6:5 axes x1y2 with linespoints pt 7 ps 0.4 lw 1.5 lc rgb '#ff7f0e' title 'p99'
set title 'rest, 4 connection(s), closed loop'
set xlabel 'seconds into the measured window (dashed line: its end)'
set arrow 1 from first 1.0004, graph 0 to first 1.0004, graph 1 nohead dt 3 lc rgb '#555555'
plot 'load-timeline-sendObj-closed.dat' index 8 using 1:2 with steps lw 1.5 lc rgb '#1f77b4' title 'achieved', '' index 8 using 6:5 axes x1y2 with linespoints pt 7 ps 0.4 lw 1.5 lc rgb '#ff7f0e' title 'p99'
unset multiplot
unset output
reset
set terminal pngcairo size 1100,2130 noenhanced font 'sans,10' background rgb 'white'
set output 'load-timeline-sendObj-closed.png'
set grid
set key outside right top
set datafile missing 'n/a'
set multiplot layout 9,1
set grid
set key outside right top
set ylabel 'calls/s'
set y2label 'p99 µs'
set logscale y2
set ytics nomirror
set y2tics
set yrange [0:*]
set title 'tcp, 4 connection(s), closed loop'
set xlabel ''
set arrow 1 from first 1.0002, graph 0 to first 1.0002, graph 1 nohead dt 3 lc rgb '#555555'
plot 'load-timeline-sendObj-closed.dat' index 0 using 1:2 with steps lw 1.5 lc rgb '#1f77b4' title 'achieved', '' index 0 using 6:5 axes x1y2 with linespoints pt 7 ps 0.4 lw 1.5 lc rgb '#ff7f0e' title 'p99'
set title 'amqp, 4 connection(s), closed loop'
set xlabel ''
set arrow 1 from first 1.00063, graph 0 to first 1.00063, graph 1 nohead dt 3 lc rgb '#555555'
plot 'load-timeline-sendObj-closed.dat' index 1 using 1:2 with steps lw 1.5 lc rgb '#1f77b4' title 'achieved', '' index 1 using 6:5 axes x1y2 with linespoints pt 7 ps 0.4 lw 1.5 lc rgb '#ff7f0e' title 'p99'
set title 'amqp-queue, 4 connection(s), closed loop'
set xlabel ''
set arrow 1 from first 1.0004, graph 0 to first 1.0004, graph 1 nohead dt 3 lc rgb '#555555'
plot 'load-timeline-sendObj-closed.dat' index 2 using 1:2 with steps lw 1.5 lc rgb '#1f77b4' title 'achieved', '' index 2 using 6:5 axes x1y2 with linespoints pt 7 ps 0.4 lw 1.5 lc rgb '#ff7f0e' title 'p99'
set title 'amqp-durable, 4 connection(s), closed loop'
set xlabel ''
set arrow 1 from first 1.0015, graph 0 to first 1.0015, graph 1 nohead dt 3 lc rgb '#555555'
plot 'load-timeline-sendObj-closed.dat' index 3 using 1:2 with steps lw 1.5 lc rgb '#1f77b4' title 'achieved', '' index 3 using 6:5 axes x1y2 with linespoints pt 7 ps 0.4 lw 1.5 lc rgb '#ff7f0e' title 'p99'
set title 'xmlrpc, 4 connection(s), closed loop'
set xlabel ''
set arrow 1 from first 1.00036, graph 0 to first 1.00036, graph 1 nohead dt 3 lc rgb '#555555'
plot 'load-timeline-sendObj-closed.dat' index 4 using 1:2 with steps lw 1.5 lc rgb '#1f77b4' title 'achieved', '' index 4 using 6:5 axes x1y2 with linespoints pt 7 ps 0.4 lw 1.5 lc rgb '#ff7f0e' title 'p99'
set title 'xmlrpc-close, 4 connection(s), closed loop'
set xlabel ''
set arrow 1 from first 1.00207, graph 0 to first 1.00207, graph 1 nohead dt 3 lc rgb '#555555'
plot 'load-timeline-sendObj-closed.dat' index 5 using 1:2 with steps lw 1.5 lc rgb '#1f77b4' title 'achieved', '' index 5 using 6:5 axes x1y2 with linespoints pt 7 ps 0.4 lw 1.5 lc rgb '#ff7f0e' title 'p99'
set title 'zmq, 4 connection(s), closed loop'
set xlabel ''
set arrow 1 from first 1.00016, graph 0 to first 1.00016, graph 1 nohead dt 3 lc rgb '#555555'
plot 'load-timeline-sendObj-closed.dat' index 6 using 1:2 with steps lw 1.5 lc rgb '#1f77b4' title 'achieved', '' index 6 using 6:5 axes x1y2 with linespoints pt 7 ps 0.4 lw 1.5 lc rgb '#ff7f0e' title 'p99'
set title 'grpc, 4 connection(s), closed loop'
set xlabel ''
set arrow 1 from first 1.00011, graph 0 to first 1.00011, graph 1 nohead dt 3 lc rgb '#555555'
plot 'load-timeline-sendObj-closed.dat' index 7 using 1:2 with steps lw 1.5 lc rgb '#1f77b4' title 'achieved', '' index 7 using 6:5 axes x1y2 with linespoints pt 7 ps 0.4 lw 1.5 lc rgb '#ff7f0e' title 'p99'
set title 'rest, 4 connection(s), closed loop'
set xlabel 'seconds into the measured window (dashed line: its end)'
set arrow 1 from first 1.0004, graph 0 to first 1.0004, graph 1 nohead dt 3 lc rgb '#555555'
plot 'load-timeline-sendObj-closed.dat' index 8 using 1:2 with steps lw 1.5 lc rgb '#1f77b4' title 'achieved', '' index 8 using 6:5 axes x1y2 with linespoints pt 7 ps 0.4 lw 1.5 lc rgb '#ff7f0e' title 'p99'
unset multiplot
unset output
