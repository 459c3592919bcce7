# rpcbench plots: written by `rpcbench report`; run `gnuplot plots.gp` in this folder.
# Data: the .dat files next to this script.

# --- latency-fib-c1
reset
set terminal svg size 900,540 dynamic noenhanced font 'sans,12' background rgb 'white'
set output 'latency-fib-c1.svg'
set grid
set key outside right top
set title 'Latency by percentile, fib, 1 client'
set logscale x
set logscale y
set xrange [1:50000]
set xtics ('0%%' 1, '90%%' 10, '99%%' 100, '99.9%%' 1000, '99.99%%' 10000, '99.999%%' 100000, '99.9999%%' 1000000)
set xlabel 'percentile'
set ylabel 'latency (µs)'
plot  'latency-fib-c1.dat' index 0 using 1:2 with lines lw 2 title 'tcp', \
     'latency-fib-c1.dat' index 1 using 1:2 with lines lw 2 title 'amqp', \
     'latency-fib-c1.dat' index 2 using 1:2 with lines lw 2 title 'amqp-queue', \
     'latency-fib-c1.dat' index 3 using 1:2 with lines lw 2 title 'amqp-durable', \
     'latency-fib-c1.dat' index 4 using 1:2 with lines lw 2 title 'xmlrpc', \
     'latency-fib-c1.dat' index 5 using 1:2 with lines lw 2 title 'xmlrpc-close', \
     'latency-fib-c1.dat' index 6 using 1:2 with lines lw 2 title 'zmq', \
     'latency-fib-c1.dat' index 7 using 1:2 with lines lw 2 title 'grpc'
set terminal pngcairo size 900,540 noenhanced font 'sans,10' background rgb 'white'
set output 'latency-fib-c1.png'
replot
unset output

# --- latency-fib-c4
reset
set terminal svg size 900,540 dynamic noenhanced font 'sans,12' background rgb 'white'
set output 'latency-fib-c4.svg'
set grid
set key outside right top
set title 'Latency by percentile, fib, 4 clients'
set logscale x
set logscale y
set xrange [1:660000]
set xtics ('0%%' 1, '90%%' 10, '99%%' 100, '99.9%%' 1000, '99.99%%' 10000, '99.999%%' 100000, '99.9999%%' 1000000)
set xlabel 'percentile'
set ylabel 'latency (µs)'
plot  'latency-fib-c4.dat' index 0 using 1:2 with lines lw 2 title 'tcp', \
     'latency-fib-c4.dat' index 1 using 1:2 with lines lw 2 title 'amqp', \
     'latency-fib-c4.dat' index 2 using 1:2 with lines lw 2 title 'amqp-queue', \
     'latency-fib-c4.dat' index 3 using 1:2 with lines lw 2 title 'amqp-durable', \
     'latency-fib-c4.dat' index 4 using 1:2 with lines lw 2 title 'xmlrpc', \
     'latency-fib-c4.dat' index 5 using 1:2 with lines lw 2 title 'xmlrpc-close', \
     'latency-fib-c4.dat' index 6 using 1:2 with lines lw 2 title 'zmq', \
     'latency-fib-c4.dat' index 7 using 1:2 with lines lw 2 title 'grpc'
set terminal pngcairo size 900,540 noenhanced font 'sans,10' background rgb 'white'
set output 'latency-fib-c4.png'
replot
unset output

# --- latency-getObj-c1
reset
set terminal svg size 900,540 dynamic noenhanced font 'sans,12' background rgb 'white'
set output 'latency-getObj-c1.svg'
set grid
set key outside right top
set title 'Latency by percentile, getObj, 100 entries, 1 client'
set logscale x
set logscale y
set xrange [1:50000]
set xtics ('0%%' 1, '90%%' 10, '99%%' 100, '99.9%%' 1000, '99.99%%' 10000, '99.999%%' 100000, '99.9999%%' 1000000)
set xlabel 'percentile'
set ylabel 'latency (µs)'
plot  'latency-getObj-c1.dat' index 0 using 1:2 with lines lw 2 title 'tcp', \
     'latency-getObj-c1.dat' index 1 using 1:2 with lines lw 2 title 'amqp', \
     'latency-getObj-c1.dat' index 2 using 1:2 with lines lw 2 title 'amqp-queue', \
     'latency-getObj-c1.dat' index 3 using 1:2 with lines lw 2 title 'amqp-durable', \
     'latency-getObj-c1.dat' index 4 using 1:2 with lines lw 2 title 'xmlrpc', \
     'latency-getObj-c1.dat' index 5 using 1:2 with lines lw 2 title 'xmlrpc-close', \
     'latency-getObj-c1.dat' index 6 using 1:2 with lines lw 2 title 'zmq', \
     'latency-getObj-c1.dat' index 7 using 1:2 with lines lw 2 title 'grpc'
set terminal pngcairo size 900,540 noenhanced font 'sans,10' background rgb 'white'
set output 'latency-getObj-c1.png'
replot
unset output

# --- latency-getObj-c4
reset
set terminal svg size 900,540 dynamic noenhanced font 'sans,12' background rgb 'white'
set output 'latency-getObj-c4.svg'
set grid
set key outside right top
set title 'Latency by percentile, getObj, 100 entries, 4 clients'
set logscale x
set logscale y
set xrange [1:300000]
set xtics ('0%%' 1, '90%%' 10, '99%%' 100, '99.9%%' 1000, '99.99%%' 10000, '99.999%%' 100000, '99.9999%%' 1000000)
set xlabel 'percentile'
set ylabel 'latency (µs)'
plot  'latency-getObj-c4.dat' index 0 using 1:2 with lines lw 2 title 'tcp', \
     'latency-getObj-c4.dat' index 1 using 1:2 with lines lw 2 title 'amqp', \
     'latency-getObj-c4.dat' index 2 using 1:2 with lines lw 2 title 'amqp-queue', \
     'latency-getObj-c4.dat' index 3 using 1:2 with lines lw 2 title 'amqp-durable', \
     'latency-getObj-c4.dat' index 4 using 1:2 with lines lw 2 title 'xmlrpc', \
     'latency-getObj-c4.dat' index 5 using 1:2 with lines lw 2 title 'xmlrpc-close', \
     'latency-getObj-c4.dat' index 6 using 1:2 with lines lw 2 title 'zmq', \
     'latency-getObj-c4.dat' index 7 using 1:2 with lines lw 2 title 'grpc'
set terminal pngcairo size 900,540 noenhanced font 'sans,10' background rgb 'white'
set output 'latency-getObj-c4.png'
replot
unset output

# --- latency-sendObj-c1
reset
set terminal svg size 900,540 dynamic noenhanced font 'sans,12' background rgb 'white'
set output 'latency-sendObj-c1.svg'
set grid
set key outside right top
set title 'Latency by percentile, sendObj, 100 entries, 1 client'
set logscale x
set logscale y
set xrange [1:50000]
set xtics ('0%%' 1, '90%%' 10, '99%%' 100, '99.9%%' 1000, '99.99%%' 10000, '99.999%%' 100000, '99.9999%%' 1000000)
set xlabel 'percentile'
set ylabel 'latency (µs)'
plot  'latency-sendObj-c1.dat' index 0 using 1:2 with lines lw 2 title 'tcp', \
     'latency-sendObj-c1.dat' index 1 using 1:2 with lines lw 2 title 'amqp', \
     'latency-sendObj-c1.dat' index 2 using 1:2 with lines lw 2 title 'amqp-queue', \
     'latency-sendObj-c1.dat' index 3 using 1:2 with lines lw 2 title 'amqp-durable', \
     'latency-sendObj-c1.dat' index 4 using 1:2 with lines lw 2 title 'xmlrpc', \
     'latency-sendObj-c1.dat' index 5 using 1:2 with lines lw 2 title 'xmlrpc-close', \
     'latency-sendObj-c1.dat' index 6 using 1:2 with lines lw 2 title 'zmq', \
     'latency-sendObj-c1.dat' index 7 using 1:2 with lines lw 2 title 'grpc'
set terminal pngcairo size 900,540 noenhanced font 'sans,10' background rgb 'white'
set output 'latency-sendObj-c1.png'
replot
unset output

# --- latency-sendObj-c4
reset
set terminal svg size 900,540 dynamic noenhanced font 'sans,12' background rgb 'white'
set output 'latency-sendObj-c4.svg'
set grid
set key outside right top
set title 'Latency by percentile, sendObj, 100 entries, 4 clients'
set logscale x
set logscale y
set xrange [1:440000]
set xtics ('0%%' 1, '90%%' 10, '99%%' 100, '99.9%%' 1000, '99.99%%' 10000, '99.999%%' 100000, '99.9999%%' 1000000)
set xlabel 'percentile'
set ylabel 'latency (µs)'
plot  'latency-sendObj-c4.dat' index 0 using 1:2 with lines lw 2 title 'tcp', \
     'latency-sendObj-c4.dat' index 1 using 1:2 with lines lw 2 title 'amqp', \
     'latency-sendObj-c4.dat' index 2 using 1:2 with lines lw 2 title 'amqp-queue', \
     'latency-sendObj-c4.dat' index 3 using 1:2 with lines lw 2 title 'amqp-durable', \
     'latency-sendObj-c4.dat' index 4 using 1:2 with lines lw 2 title 'xmlrpc', \
     'latency-sendObj-c4.dat' index 5 using 1:2 with lines lw 2 title 'xmlrpc-close', \
     'latency-sendObj-c4.dat' index 6 using 1:2 with lines lw 2 title 'zmq', \
     'latency-sendObj-c4.dat' index 7 using 1:2 with lines lw 2 title 'grpc'
set terminal pngcairo size 900,540 noenhanced font 'sans,10' background rgb 'white'
set output 'latency-sendObj-c4.png'
replot
unset output

# --- bytes
reset
set terminal svg size 900,540 dynamic noenhanced font 'sans,12' background rgb 'white'
set output 'bytes.svg'
set grid
set key outside right top
set title 'Bytes per call on the client connection'
set ylabel 'bytes per call'
set datafile missing '?'
set style data histograms
set style histogram rowstacked gap 1 title offset character 0,-1
set bmargin 5
set style fill solid 0.8 border -1
set boxwidth 0.75
set xtics scale 0
set yrange [0:*]
set key inside left top vertical Left reverse
plot newhistogram 'fib' lt 1, 'bytes.dat' index 0 using 2:xtic(1) title 'body (request + reply)', '' index 0 using 3 title 'protocol overhead (wire - body)', \
     newhistogram 'getObj' lt 1, 'bytes.dat' index 1 using 2:xtic(1) notitle, '' index 1 using 3 notitle, \
     newhistogram 'sendObj' lt 1, 'bytes.dat' index 2 using 2:xtic(1) notitle, '' index 2 using 3 notitle
set terminal pngcairo size 900,540 noenhanced font 'sans,10' background rgb 'white'
set output 'bytes.png'
replot
unset output

# --- cpu
reset
set terminal svg size 900,540 dynamic noenhanced font 'sans,12' background rgb 'white'
set output 'cpu.svg'
set grid
set key outside right top
set title 'CPU time per call'
set ylabel 'CPU µs per call'
set datafile missing '?'
set style data histograms
set style histogram rowstacked gap 1 title offset character 0,-1
set bmargin 5
set style fill solid 0.8 border -1
set boxwidth 0.75
set xtics scale 0
set yrange [0:*]
set key inside left top vertical Left reverse
plot newhistogram 'fib' lt 1, 'cpu.dat' index 0 using 2:xtic(1) title 'client', '' index 0 using 3 title 'server', '' index 0 using 4 title 'broker', \
     newhistogram 'getObj' lt 1, 'cpu.dat' index 1 using 2:xtic(1) notitle, '' index 1 using 3 notitle, '' index 1 using 4 notitle, \
     newhistogram 'sendObj' lt 1, 'cpu.dat' index 2 using 2:xtic(1) notitle, '' index 2 using 3 notitle, '' index 2 using 4 notitle
set terminal pngcairo size 900,540 noenhanced font 'sans,10' background rgb 'white'
set output 'cpu.png'
replot
unset output

# --- throughput-fib
reset
set terminal svg size 900,540 dynamic noenhanced font 'sans,12' background rgb 'white'
set output 'throughput-fib.svg'
set grid
set key outside right top
set title 'Throughput against client threads, fib'
set logscale x 2
set datafile missing '?'
set yrange [0:*]
set xlabel 'client threads (one connection each)'
set ylabel 'calls per second'
plot  'throughput-fib.dat' index 0 using 1:2:3:4 with yerrorlines lw 2 lc 1 title 'tcp', \
     'throughput-fib.dat' index 1 using 1:2:3:4 with yerrorlines lw 2 lc 2 title 'amqp', \
     'throughput-fib.dat' index 2 using 1:2:3:4 with yerrorlines lw 2 lc 3 title 'amqp-queue', \
     'throughput-fib.dat' index 3 using 1:2:3:4 with yerrorlines lw 2 lc 4 title 'amqp-durable', \
     'throughput-fib.dat' index 4 using 1:2:3:4 with yerrorlines lw 2 lc 5 title 'xmlrpc', \
     'throughput-fib.dat' index 5 using 1:2:3:4 with yerrorlines lw 2 lc 6 title 'xmlrpc-close', \
     'throughput-fib.dat' index 6 using 1:2:3:4 with yerrorlines lw 2 lc 7 title 'zmq', \
     'throughput-fib.dat' index 7 using 1:2:3:4 with yerrorlines lw 2 lc 8 title 'grpc'
set terminal pngcairo size 900,540 noenhanced font 'sans,10' background rgb 'white'
set output 'throughput-fib.png'
replot
unset output

# --- throughput-getObj
reset
set terminal svg size 900,540 dynamic noenhanced font 'sans,12' background rgb 'white'
set output 'throughput-getObj.svg'
set grid
set key outside right top
set title 'Throughput against client threads, getObj'
set logscale x 2
set datafile missing '?'
set yrange [0:*]
set xlabel 'client threads (one connection each)'
set ylabel 'calls per second'
plot  'throughput-getObj.dat' index 0 using 1:2:3:4 with yerrorlines lw 2 lc 1 title 'tcp', \
     'throughput-getObj.dat' index 1 using 1:2:3:4 with yerrorlines lw 2 lc 2 title 'amqp', \
     'throughput-getObj.dat' index 2 using 1:2:3:4 with yerrorlines lw 2 lc 3 title 'amqp-queue', \
     'throughput-getObj.dat' index 3 using 1:2:3:4 with yerrorlines lw 2 lc 4 title 'amqp-durable', \
     'throughput-getObj.dat' index 4 using 1:2:3:4 with yerrorlines lw 2 lc 5 title 'xmlrpc', \
     'throughput-getObj.dat' index 5 using 1:2:3:4 with yerrorlines lw 2 lc 6 title 'xmlrpc-close', \
     'throughput-getObj.dat' index 6 using 1:2:3:4 with yerrorlines lw 2 lc 7 title 'zmq', \
     'throughput-getObj.dat' index 7 using 1:2:3:4 with yerrorlines lw 2 lc 8 title 'grpc'
set terminal pngcairo size 900,540 noenhanced font 'sans,10' background rgb 'white'
set output 'throughput-getObj.png'
replot
unset output

# --- throughput-sendObj
reset
set terminal svg size 900,540 dynamic noenhanced font 'sans,12' background rgb 'white'
set output 'throughput-sendObj.svg'
set grid
set key outside right top
set title 'Throughput against client threads, sendObj'
set logscale x 2
set datafile missing '?'
set yrange [0:*]
set xlabel 'client threads (one connection each)'
set ylabel 'calls per second'
plot  'throughput-sendObj.dat' index 0 using 1:2:3:4 with yerrorlines lw 2 lc 1 title 'tcp', \
     'throughput-sendObj.dat' index 1 using 1:2:3:4 with yerrorlines lw 2 lc 2 title 'amqp', \
     'throughput-sendObj.dat' index 2 using 1:2:3:4 with yerrorlines lw 2 lc 3 title 'amqp-queue', \
     'throughput-sendObj.dat' index 3 using 1:2:3:4 with yerrorlines lw 2 lc 4 title 'amqp-durable', \
     'throughput-sendObj.dat' index 4 using 1:2:3:4 with yerrorlines lw 2 lc 5 title 'xmlrpc', \
     'throughput-sendObj.dat' index 5 using 1:2:3:4 with yerrorlines lw 2 lc 6 title 'xmlrpc-close', \
     'throughput-sendObj.dat' index 6 using 1:2:3:4 with yerrorlines lw 2 lc 7 title 'zmq', \
     'throughput-sendObj.dat' index 7 using 1:2:3:4 with yerrorlines lw 2 lc 8 title 'grpc'
set terminal pngcairo size 900,540 noenhanced font 'sans,10' background rgb 'white'
set output 'throughput-sendObj.png'
replot
unset output
