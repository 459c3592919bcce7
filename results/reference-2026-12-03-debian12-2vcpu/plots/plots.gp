# rpcbench plots: written by `rpcbench report`; run `gnuplot plots.gp` in this folder.
# Data: the .dat files next to this script.

# --- latency-fib-c1
reset
set terminal svg size 900,540 dynamic noenhanced font 'sans,12' background rgb 'white'
set output 'latency-fib-c1.svg'
set grid
set key outside right top
set datafile missing 'n/a'
set title 'Latency by percentile, fib, 1 client (every call of all 3 rounds pooled; tables: median round)'
set key inside left top Left reverse opaque box
set logscale x
set logscale y
set xrange [1:100000]
set xtics ('0%%' 1, '90%%' 10, '99%%' 100, '99.9%%' 1000, '99.99%%' 10000, '99.999%%' 100000, '99.9999%%' 1000000)
set xlabel 'percentile'
set ylabel 'latency (µs)'
plot  'latency-fib-c1.dat' index 0 using 1:2 with lines lw 2 lc rgb '#000000' title 'tcp', \
     'latency-fib-c1.dat' index 1 using 1:2 with lines lw 2 lc rgb '#e69f00' title 'amqp', \
     'latency-fib-c1.dat' index 2 using 1:2 with lines lw 2 lc rgb '#56b4e9' title 'amqp-queue', \
     'latency-fib-c1.dat' index 3 using 1:2 with lines lw 2 lc rgb '#009e73' title 'amqp-durable', \
     'latency-fib-c1.dat' index 4 using 1:2 with lines lw 2 lc rgb '#d55e00' title 'xmlrpc', \
     'latency-fib-c1.dat' index 5 using 1:2 with lines lw 2 lc rgb '#0072b2' title 'xmlrpc-close', \
     'latency-fib-c1.dat' index 6 using 1:2 with lines lw 2 lc rgb '#cc79a7' title 'zmq', \
     'latency-fib-c1.dat' index 7 using 1:2 with lines lw 2 lc rgb '#999999' title 'grpc', \
     'latency-fib-c1.dat' index 8 using 1:2 with lines lw 2 lc rgb '#8c564b' title 'rest'
unset output
reset
set terminal pngcairo size 900,540 noenhanced font 'sans,10' background rgb 'white'
set output 'latency-fib-c1.png'
set grid
set key outside right top
set datafile missing 'n/a'
set title 'Latency by percentile, fib, 1 client (every call of all 3 rounds pooled; tables: median round)'
set key inside left top Left reverse opaque box
set logscale x
set logscale y
set xrange [1:100000]
set xtics ('0%%' 1, '90%%' 10, '99%%' 100, '99.9%%' 1000, '99.99%%' 10000, '99.999%%' 100000, '99.9999%%' 1000000)
set xlabel 'percentile'
set ylabel 'latency (µs)'
plot  'latency-fib-c1.dat' index 0 using 1:2 with lines lw 2 lc rgb '#000000' title 'tcp', \
     'latency-fib-c1.dat' index 1 using 1:2 with lines lw 2 lc rgb '#e69f00' title 'amqp', \
     'latency-fib-c1.dat' index 2 using 1:2 with lines lw 2 lc rgb '#56b4e9' title 'amqp-queue', \
     'latency-fib-c1.dat' index 3 using 1:2 with lines lw 2 lc rgb '#009e73' title 'amqp-durable', \
     'latency-fib-c1.dat' index 4 using 1:2 with lines lw 2 lc rgb '#d55e00' title 'xmlrpc', \
     'latency-fib-c1.dat' index 5 using 1:2 with lines lw 2 lc rgb '#0072b2' title 'xmlrpc-close', \
     'latency-fib-c1.dat' index 6 using 1:2 with lines lw 2 lc rgb '#cc79a7' title 'zmq', \
     'latency-fib-c1.dat' index 7 using 1:2 with lines lw 2 lc rgb '#999999' title 'grpc', \
     'latency-fib-c1.dat' index 8 using 1:2 with lines lw 2 lc rgb '#8c564b' title 'rest'
unset output

# --- latency-fib-c4
reset
set terminal svg size 900,540 dynamic noenhanced font 'sans,12' background rgb 'white'
set output 'latency-fib-c4.svg'
set grid
set key outside right top
set datafile missing 'n/a'
set title 'Latency by percentile, fib, 4 clients (every call of all 3 rounds pooled; tables: median round)'
set key inside left top Left reverse opaque box
set logscale x
set logscale y
set xrange [1:220000]
set xtics ('0%%' 1, '90%%' 10, '99%%' 100, '99.9%%' 1000, '99.99%%' 10000, '99.999%%' 100000, '99.9999%%' 1000000)
set xlabel 'percentile'
set ylabel 'latency (µs)'
plot  'latency-fib-c4.dat' index 0 using 1:2 with lines lw 2 lc rgb '#000000' title 'tcp', \
     'latency-fib-c4.dat' index 1 using 1:2 with lines lw 2 lc rgb '#e69f00' title 'amqp', \
     'latency-fib-c4.dat' index 2 using 1:2 with lines lw 2 lc rgb '#56b4e9' title 'amqp-queue', \
     'latency-fib-c4.dat' index 3 using 1:2 with lines lw 2 lc rgb '#009e73' title 'amqp-durable', \
     'latency-fib-c4.dat' index 4 using 1:2 with lines lw 2 lc rgb '#d55e00' title 'xmlrpc', \
     'latency-fib-c4.dat' index 5 using 1:2 with lines lw 2 lc rgb '#0072b2' title 'xmlrpc-close', \
     'latency-fib-c4.dat' index 6 using 1:2 with lines lw 2 lc rgb '#cc79a7' title 'zmq', \
     'latency-fib-c4.dat' index 7 using 1:2 with lines lw 2 lc rgb '#999999' title 'grpc', \
     'latency-fib-c4.dat' index 8 using 1:2 with lines lw 2 lc rgb '#8c564b' title 'rest'
unset output
reset
set terminal pngcairo size 900,540 noenhanced font 'sans,10' background rgb 'white'
set output 'latency-fib-c4.png'
set grid
set key outside right top
set datafile missing 'n/a'
set title 'Latency by percentile, fib, 4 clients (every call of all 3 rounds pooled; tables: median round)'
set key inside left top Left reverse opaque box
set logscale x
set logscale y
set xrange [1:220000]
set xtics ('0%%' 1, '90%%' 10, '99%%' 100, '99.9%%' 1000, '99.99%%' 10000, '99.999%%' 100000, '99.9999%%' 1000000)
set xlabel 'percentile'
set ylabel 'latency (µs)'
plot  'latency-fib-c4.dat' index 0 using 1:2 with lines lw 2 lc rgb '#000000' title 'tcp', \
     'latency-fib-c4.dat' index 1 using 1:2 with lines lw 2 lc rgb '#e69f00' title 'amqp', \
     'latency-fib-c4.dat' index 2 using 1:2 with lines lw 2 lc rgb '#56b4e9' title 'amqp-queue', \
     'latency-fib-c4.dat' index 3 using 1:2 with lines lw 2 lc rgb '#009e73' title 'amqp-durable', \
     'latency-fib-c4.dat' index 4 using 1:2 with lines lw 2 lc rgb '#d55e00' title 'xmlrpc', \
     'latency-fib-c4.dat' index 5 using 1:2 with lines lw 2 lc rgb '#0072b2' title 'xmlrpc-close', \
     'latency-fib-c4.dat' index 6 using 1:2 with lines lw 2 lc rgb '#cc79a7' title 'zmq', \
     'latency-fib-c4.dat' index 7 using 1:2 with lines lw 2 lc rgb '#999999' title 'grpc', \
     'latency-fib-c4.dat' index 8 using 1:2 with lines lw 2 lc rgb '#8c564b' title 'rest'
unset output

# --- latency-getObj-c1
reset
set terminal svg size 900,540 dynamic noenhanced font 'sans,12' background rgb 'white'
set output 'latency-getObj-c1.svg'
set grid
set key outside right top
set datafile missing 'n/a'
set title 'Latency by percentile, getObj, 100 entries, 1 client (every call of all 3 rounds pooled; tables: median round)'
set key inside left top Left reverse opaque box
set logscale x
set logscale y
set xrange [1:90000]
set xtics ('0%%' 1, '90%%' 10, '99%%' 100, '99.9%%' 1000, '99.99%%' 10000, '99.999%%' 100000, '99.9999%%' 1000000)
set xlabel 'percentile'
set ylabel 'latency (µs)'
plot  'latency-getObj-c1.dat' index 0 using 1:2 with lines lw 2 lc rgb '#000000' title 'tcp', \
     'latency-getObj-c1.dat' index 1 using 1:2 with lines lw 2 lc rgb '#e69f00' title 'amqp', \
     'latency-getObj-c1.dat' index 2 using 1:2 with lines lw 2 lc rgb '#56b4e9' title 'amqp-queue', \
     'latency-getObj-c1.dat' index 3 using 1:2 with lines lw 2 lc rgb '#009e73' title 'amqp-durable', \
     'latency-getObj-c1.dat' index 4 using 1:2 with lines lw 2 lc rgb '#d55e00' title 'xmlrpc', \
     'latency-getObj-c1.dat' index 5 using 1:2 with lines lw 2 lc rgb '#0072b2' title 'xmlrpc-close', \
     'latency-getObj-c1.dat' index 6 using 1:2 with lines lw 2 lc rgb '#cc79a7' title 'zmq', \
     'latency-getObj-c1.dat' index 7 using 1:2 with lines lw 2 lc rgb '#999999' title 'grpc', \
     'latency-getObj-c1.dat' index 8 using 1:2 with lines lw 2 lc rgb '#8c564b' title 'rest'
unset output
reset
set terminal pngcairo size 900,540 noenhanced font 'sans,10' background rgb 'white'
set output 'latency-getObj-c1.png'
set grid
set key outside right top
set datafile missing 'n/a'
set title 'Latency by percentile, getObj, 100 entries, 1 client (every call of all 3 rounds pooled; tables: median round)'
set key inside left top Left reverse opaque box
set logscale x
set logscale y
set xrange [1:90000]
set xtics ('0%%' 1, '90%%' 10, '99%%' 100, '99.9%%' 1000, '99.99%%' 10000, '99.999%%' 100000, '99.9999%%' 1000000)
set xlabel 'percentile'
set ylabel 'latency (µs)'
plot  'latency-getObj-c1.dat' index 0 using 1:2 with lines lw 2 lc rgb '#000000' title 'tcp', \
     'latency-getObj-c1.dat' index 1 using 1:2 with lines lw 2 lc rgb '#e69f00' title 'amqp', \
     'latency-getObj-c1.dat' index 2 using 1:2 with lines lw 2 lc rgb '#56b4e9' title 'amqp-queue', \
     'latency-getObj-c1.dat' index 3 using 1:2 with lines lw 2 lc rgb '#009e73' title 'amqp-durable', \
     'latency-getObj-c1.dat' index 4 using 1:2 with lines lw 2 lc rgb '#d55e00' title 'xmlrpc', \
     'latency-getObj-c1.dat' index 5 using 1:2 with lines lw 2 lc rgb '#0072b2' title 'xmlrpc-close', \
     'latency-getObj-c1.dat' index 6 using 1:2 with lines lw 2 lc rgb '#cc79a7' title 'zmq', \
     'latency-getObj-c1.dat' index 7 using 1:2 with lines lw 2 lc rgb '#999999' title 'grpc', \
     'latency-getObj-c1.dat' index 8 using 1:2 with lines lw 2 lc rgb '#8c564b' title 'rest'
unset output

# --- latency-getObj-c4
reset
set terminal svg size 900,540 dynamic noenhanced font 'sans,12' background rgb 'white'
set output 'latency-getObj-c4.svg'
set grid
set key outside right top
set datafile missing 'n/a'
set title 'Latency by percentile, getObj, 100 entries, 4 clients (every call of all 3 rounds pooled; tables: median round)'
set key inside left top Left reverse opaque box
set logscale x
set logscale y
set xrange [1:220000]
set xtics ('0%%' 1, '90%%' 10, '99%%' 100, '99.9%%' 1000, '99.99%%' 10000, '99.999%%' 100000, '99.9999%%' 1000000)
set xlabel 'percentile'
set ylabel 'latency (µs)'
plot  'latency-getObj-c4.dat' index 0 using 1:2 with lines lw 2 lc rgb '#000000' title 'tcp', \
     'latency-getObj-c4.dat' index 1 using 1:2 with lines lw 2 lc rgb '#e69f00' title 'amqp', \
     'latency-getObj-c4.dat' index 2 using 1:2 with lines lw 2 lc rgb '#56b4e9' title 'amqp-queue', \
     'latency-getObj-c4.dat' index 3 using 1:2 with lines lw 2 lc rgb '#009e73' title 'amqp-durable', \
     'latency-getObj-c4.dat' index 4 using 1:2 with lines lw 2 lc rgb '#d55e00' title 'xmlrpc', \
     'latency-getObj-c4.dat' index 5 using 1:2 with lines lw 2 lc rgb '#0072b2' title 'xmlrpc-close', \
     'latency-getObj-c4.dat' index 6 using 1:2 with lines lw 2 lc rgb '#cc79a7' title 'zmq', \
     'latency-getObj-c4.dat' index 7 using 1:2 with lines lw 2 lc rgb '#999999' title 'grpc', \
     'latency-getObj-c4.dat' index 8 using 1:2 with lines lw 2 lc rgb '#8c564b' title 'rest'
unset output
reset
set terminal pngcairo size 900,540 noenhanced font 'sans,10' background rgb 'white'
set output 'latency-getObj-c4.png'
set grid
set key outside right top
set datafile missing 'n/a'
set title 'Latency by percentile, getObj, 100 entries, 4 clients (every call of all 3 rounds pooled; tables: median round)'
set key inside left top Left reverse opaque box
set logscale x
set logscale y
set xrange [1:220000]
set xtics ('0%%' 1, '90%%' 10, '99%%' 100, '99.9%%' 1000, '99.99%%' 10000, '99.999%%' 100000, '99.9999%%' 1000000)
set xlabel 'percentile'
set ylabel 'latency (µs)'
plot  'latency-getObj-c4.dat' index 0 using 1:2 with lines lw 2 lc rgb '#000000' title 'tcp', \
     'latency-getObj-c4.dat' index 1 using 1:2 with lines lw 2 lc rgb '#e69f00' title 'amqp', \
     'latency-getObj-c4.dat' index 2 using 1:2 with lines lw 2 lc rgb '#56b4e9' title 'amqp-queue', \
     'latency-getObj-c4.dat' index 3 using 1:2 with lines lw 2 lc rgb '#009e73' title 'amqp-durable', \
     'latency-getObj-c4.dat' index 4 using 1:2 with lines lw 2 lc rgb '#d55e00' title 'xmlrpc', \
     'latency-getObj-c4.dat' index 5 using 1:2 with lines lw 2 lc rgb '#0072b2' title 'xmlrpc-close', \
     'latency-getObj-c4.dat' index 6 using 1:2 with lines lw 2 lc rgb '#cc79a7' title 'zmq', \
     'latency-getObj-c4.dat' index 7 using 1:2 with lines lw 2 lc rgb '#999999' title 'grpc', \
     'latency-getObj-c4.dat' index 8 using 1:2 with lines lw 2 lc rgb '#8c564b' title 'rest'
unset output

# --- latency-sendObj-c1
reset
set terminal svg size 900,540 dynamic noenhanced font 'sans,12' background rgb 'white'
set output 'latency-sendObj-c1.svg'
set grid
set key outside right top
set datafile missing 'n/a'
set title 'Latency by percentile, sendObj, 100 entries, 1 client (every call of all 3 rounds pooled; tables: median round)'
set key inside left top Left reverse opaque box
set logscale x
set logscale y
set xrange [1:100000]
set xtics ('0%%' 1, '90%%' 10, '99%%' 100, '99.9%%' 1000, '99.99%%' 10000, '99.999%%' 100000, '99.9999%%' 1000000)
set xlabel 'percentile'
set ylabel 'latency (µs)'
plot  'latency-sendObj-c1.dat' index 0 using 1:2 with lines lw 2 lc rgb '#000000' title 'tcp', \
     'latency-sendObj-c1.dat' index 1 using 1:2 with lines lw 2 lc rgb '#e69f00' title 'amqp', \
     'latency-sendObj-c1.dat' index 2 using 1:2 with lines lw 2 lc rgb '#56b4e9' title 'amqp-queue', \
     'latency-sendObj-c1.dat' index 3 using 1:2 with lines lw 2 lc rgb '#009e73' title 'amqp-durable', \
     'latency-sendObj-c1.dat' index 4 using 1:2 with lines lw 2 lc rgb '#d55e00' title 'xmlrpc', \
     'latency-sendObj-c1.dat' index 5 using 1:2 with lines lw 2 lc rgb '#0072b2' title 'xmlrpc-close', \
     'latency-sendObj-c1.dat' index 6 using 1:2 with lines lw 2 lc rgb '#cc79a7' title 'zmq', \
     'latency-sendObj-c1.dat' index 7 using 1:2 with lines lw 2 lc rgb '#999999' title 'grpc', \
     'latency-sendObj-c1.dat' index 8 using 1:2 with lines lw 2 lc rgb '#8c564b' title 'rest'
unset output
reset
set terminal pngcairo size 900,540 noenhanced font 'sans,10' background rgb 'white'
set output 'latency-sendObj-c1.png'
set grid
set key outside right top
set datafile missing 'n/a'
set title 'Latency by percentile, sendObj, 100 entries, 1 client (every call of all 3 rounds pooled; tables: median round)'
set key inside left top Left reverse opaque box
set logscale x
set logscale y
set xrange [1:100000]
set xtics ('0%%' 1, '90%%' 10, '99%%' 100, '99.9%%' 1000, '99.99%%' 10000, '99.999%%' 100000, '99.9999%%' 1000000)
set xlabel 'percentile'
set ylabel 'latency (µs)'
plot  'latency-sendObj-c1.dat' index 0 using 1:2 with lines lw 2 lc rgb '#000000' title 'tcp', \
     'latency-sendObj-c1.dat' index 1 using 1:2 with lines lw 2 lc rgb '#e69f00' title 'amqp', \
     'latency-sendObj-c1.dat' index 2 using 1:2 with lines lw 2 lc rgb '#56b4e9' title 'amqp-queue', \
     'latency-sendObj-c1.dat' index 3 using 1:2 with lines lw 2 lc rgb '#009e73' title 'amqp-durable', \
     'latency-sendObj-c1.dat' index 4 using 1:2 with lines lw 2 lc rgb '#d55e00' title 'xmlrpc', \
     'latency-sendObj-c1.dat' index 5 using 1:2 with lines lw 2 lc rgb '#0072b2' title 'xmlrpc-close', \
     'latency-sendObj-c1.dat' index 6 using 1:2 with lines lw 2 lc rgb '#cc79a7' title 'zmq', \
     'latency-sendObj-c1.dat' index 7 using 1:2 with lines lw 2 lc rgb '#999999' title 'grpc', \
     'latency-sendObj-c1.dat' index 8 using 1:2 with lines lw 2 lc rgb '#8c564b' title 'rest'
unset output

# --- latency-sendObj-c4
reset
set terminal svg size 900,540 dynamic noenhanced font 'sans,12' background rgb 'white'
set output 'latency-sendObj-c4.svg'
set grid
set key outside right top
set datafile missing 'n/a'
set title 'Latency by percentile, sendObj, 100 entries, 4 clients (every call of all 3 rounds pooled; tables: median round)'
set key inside left top Left reverse opaque box
set logscale x
set logscale y
set xrange [1:220000]
set xtics ('0%%' 1, '90%%' 10, '99%%' 100, '99.9%%' 1000, '99.99%%' 10000, '99.999%%' 100000, '99.9999%%' 1000000)
set xlabel 'percentile'
set ylabel 'latency (µs)'
plot  'latency-sendObj-c4.dat' index 0 using 1:2 with lines lw 2 lc rgb '#000000' title 'tcp', \
     'latency-sendObj-c4.dat' index 1 using 1:2 with lines lw 2 lc rgb '#e69f00' title 'amqp', \
     'latency-sendObj-c4.dat' index 2 using 1:2 with lines lw 2 lc rgb '#56b4e9' title 'amqp-queue', \
     'latency-sendObj-c4.dat' index 3 using 1:2 with lines lw 2 lc rgb '#009e73' title 'amqp-durable', \
     'latency-sendObj-c4.dat' index 4 using 1:2 with lines lw 2 lc rgb '#d55e00' title 'xmlrpc', \
     'latency-sendObj-c4.dat' index 5 using 1:2 with lines lw 2 lc rgb '#0072b2' title 'xmlrpc-close', \
     'latency-sendObj-c4.dat' index 6 using 1:2 with lines lw 2 lc rgb '#cc79a7' title 'zmq', \
     'latency-sendObj-c4.dat' index 7 using 1:2 with lines lw 2 lc rgb '#999999' title 'grpc', \
     'latency-sendObj-c4.dat' index 8 using 1:2 with lines lw 2 lc rgb '#8c564b' title 'rest'
unset output
reset
set terminal pngcairo size 900,540 noenhanced font 'sans,10' background rgb 'white'
set output 'latency-sendObj-c4.png'
set grid
set key outside right top
set datafile missing 'n/a'
set title 'Latency by percentile, sendObj, 100 entries, 4 clients (every call of all 3 rounds pooled; tables: median round)'
set key inside left top Left reverse opaque box
set logscale x
set logscale y
set xrange [1:220000]
set xtics ('0%%' 1, '90%%' 10, '99%%' 100, '99.9%%' 1000, '99.99%%' 10000, '99.999%%' 100000, '99.9999%%' 1000000)
set xlabel 'percentile'
set ylabel 'latency (µs)'
plot  'latency-sendObj-c4.dat' index 0 using 1:2 with lines lw 2 lc rgb '#000000' title 'tcp', \
     'latency-sendObj-c4.dat' index 1 using 1:2 with lines lw 2 lc rgb '#e69f00' title 'amqp', \
     'latency-sendObj-c4.dat' index 2 using 1:2 with lines lw 2 lc rgb '#56b4e9' title 'amqp-queue', \
     'latency-sendObj-c4.dat' index 3 using 1:2 with lines lw 2 lc rgb '#009e73' title 'amqp-durable', \
     'latency-sendObj-c4.dat' index 4 using 1:2 with lines lw 2 lc rgb '#d55e00' title 'xmlrpc', \
     'latency-sendObj-c4.dat' index 5 using 1:2 with lines lw 2 lc rgb '#0072b2' title 'xmlrpc-close', \
     'latency-sendObj-c4.dat' index 6 using 1:2 with lines lw 2 lc rgb '#cc79a7' title 'zmq', \
     'latency-sendObj-c4.dat' index 7 using 1:2 with lines lw 2 lc rgb '#999999' title 'grpc', \
     'latency-sendObj-c4.dat' index 8 using 1:2 with lines lw 2 lc rgb '#8c564b' title 'rest'
unset output

# --- bytes
reset
set terminal svg size 1785,540 dynamic noenhanced font 'sans,12' background rgb 'white'
set output 'bytes.svg'
set grid
set key outside right top
set datafile missing 'n/a'
set style data histograms
set style histogram rowstacked
set style fill solid 0.85 border -1
set boxwidth 0.7
set xtics rotate by 35 right scale 0 nomirror
set bmargin 6
set ylabel 'bytes per call'
set multiplot layout 1,3 title 'Bytes per call on the wire (TCP payload, both directions)'
set title 'fib, 1 client'
unset label
set yrange [0:1087.98]
set key inside left top vertical Left reverse opaque box font ',9'
set label 'wire n/a' at first 5, first 0 rotate by 90 left offset 0,0.5 font ',9' front
plot 'bytes.dat' index 0 using 2:xtic(1) lc rgb '#0072b2' title 'body (request + reply)', 'bytes.dat' index 0 using 3 lc rgb '#e69f00' title 'overhead, client connection', 'bytes.dat' index 0 using 4 lc rgb '#009e73' title 'broker-server hop'
set title 'getObj, 100 entries, 1 client'
unset label
set yrange [0:9013.2]
unset key
set label 'wire n/a' at first 5, first 0 rotate by 90 left offset 0,0.5 font ',9' front
plot 'bytes.dat' index 1 using 2:xtic(1) lc rgb '#0072b2' title 'body (request + reply)', 'bytes.dat' index 1 using 3 lc rgb '#e69f00' title 'overhead, client connection', 'bytes.dat' index 1 using 4 lc rgb '#009e73' title 'broker-server hop'
set title 'sendObj, 100 entries, 1 client'
unset label
set yrange [0:9067.2]
unset key
set label 'wire n/a' at first 5, first 0 rotate by 90 left offset 0,0.5 font ',9' front
plot 'bytes.dat' index 2 using 2:xtic(1) lc rgb '#0072b2' title 'body (request + reply)', 'bytes.dat' index 2 using 3 lc rgb '#e69f00' title 'overhead, client connection', 'bytes.dat' index 2 using 4 lc rgb '#009e73' title 'broker-server hop'
unset multiplot
unset output
reset
set terminal pngcairo size 1785,540 noenhanced font 'sans,10' background rgb 'white'
set output 'bytes.png'
set grid
set key outside right top
set datafile missing 'n/a'
set style data histograms
set style histogram rowstacked
set style fill solid 0.85 border -1
set boxwidth 0.7
set xtics rotate by 35 right scale 0 nomirror
set bmargin 6
set ylabel 'bytes per call'
set multiplot layout 1,3 title 'Bytes per call on the wire (TCP payload, both directions)'
set title 'fib, 1 client'
unset label
set yrange [0:1087.98]
set key inside left top vertical Left reverse opaque box font ',9'
set label 'wire n/a' at first 5, first 0 rotate by 90 left offset 0,0.5 font ',9' front
plot 'bytes.dat' index 0 using 2:xtic(1) lc rgb '#0072b2' title 'body (request + reply)', 'bytes.dat' index 0 using 3 lc rgb '#e69f00' title 'overhead, client connection', 'bytes.dat' index 0 using 4 lc rgb '#009e73' title 'broker-server hop'
set title 'getObj, 100 entries, 1 client'
unset label
set yrange [0:9013.2]
unset key
set label 'wire n/a' at first 5, first 0 rotate by 90 left offset 0,0.5 font ',9' front
plot 'bytes.dat' index 1 using 2:xtic(1) lc rgb '#0072b2' title 'body (request + reply)', 'bytes.dat' index 1 using 3 lc rgb '#e69f00' title 'overhead, client connection', 'bytes.dat' index 1 using 4 lc rgb '#009e73' title 'broker-server hop'
set title 'sendObj, 100 entries, 1 client'
unset label
set yrange [0:9067.2]
unset key
set label 'wire n/a' at first 5, first 0 rotate by 90 left offset 0,0.5 font ',9' front
plot 'bytes.dat' index 2 using 2:xtic(1) lc rgb '#0072b2' title 'body (request + reply)', 'bytes.dat' index 2 using 3 lc rgb '#e69f00' title 'overhead, client connection', 'bytes.dat' index 2 using 4 lc rgb '#009e73' title 'broker-server hop'
unset multiplot
unset output

# --- cpu
reset
set terminal svg size 1785,540 dynamic noenhanced font 'sans,12' background rgb 'white'
set output 'cpu.svg'
set grid
set key outside right top
set datafile missing 'n/a'
set style data histograms
set style histogram rowstacked
set style fill solid 0.85 border -1
set boxwidth 0.7
set xtics rotate by 35 right scale 0 nomirror
set bmargin 6
set ylabel 'CPU µs per call'
set multiplot layout 1,3 title 'CPU time per call'
set title 'fib, 1 client'
unset label
set yrange [0:726.486]
set key inside left top vertical Left reverse opaque box font ',9'
plot 'cpu.dat' index 0 using 2:xtic(1) lc rgb '#0072b2' title 'client', 'cpu.dat' index 0 using 3 lc rgb '#e69f00' title 'server', 'cpu.dat' index 0 using 4 lc rgb '#009e73' title 'broker'
set title 'getObj, 100 entries, 1 client'
unset label
set yrange [0:647.277]
unset key
plot 'cpu.dat' index 1 using 2:xtic(1) lc rgb '#0072b2' title 'client', 'cpu.dat' index 1 using 3 lc rgb '#e69f00' title 'server', 'cpu.dat' index 1 using 4 lc rgb '#009e73' title 'broker'
set title 'sendObj, 100 entries, 1 client'
unset label
set yrange [0:1035.38]
unset key
plot 'cpu.dat' index 2 using 2:xtic(1) lc rgb '#0072b2' title 'client', 'cpu.dat' index 2 using 3 lc rgb '#e69f00' title 'server', 'cpu.dat' index 2 using 4 lc rgb '#009e73' title 'broker'
unset multiplot
unset output
reset
set terminal pngcairo size 1785,540 noenhanced font 'sans,10' background rgb 'white'
set output 'cpu.png'
set grid
set key outside right top
set datafile missing 'n/a'
set style data histograms
set style histogram rowstacked
set style fill solid 0.85 border -1
set boxwidth 0.7
set xtics rotate by 35 right scale 0 nomirror
set bmargin 6
set ylabel 'CPU µs per call'
set multiplot layout 1,3 title 'CPU time per call'
set title 'fib, 1 client'
unset label
set yrange [0:726.486]
set key inside left top vertical Left reverse opaque box font ',9'
plot 'cpu.dat' index 0 using 2:xtic(1) lc rgb '#0072b2' title 'client', 'cpu.dat' index 0 using 3 lc rgb '#e69f00' title 'server', 'cpu.dat' index 0 using 4 lc rgb '#009e73' title 'broker'
set title 'getObj, 100 entries, 1 client'
unset label
set yrange [0:647.277]
unset key
plot 'cpu.dat' index 1 using 2:xtic(1) lc rgb '#0072b2' title 'client', 'cpu.dat' index 1 using 3 lc rgb '#e69f00' title 'server', 'cpu.dat' index 1 using 4 lc rgb '#009e73' title 'broker'
set title 'sendObj, 100 entries, 1 client'
unset label
set yrange [0:1035.38]
unset key
plot 'cpu.dat' index 2 using 2:xtic(1) lc rgb '#0072b2' title 'client', 'cpu.dat' index 2 using 3 lc rgb '#e69f00' title 'server', 'cpu.dat' index 2 using 4 lc rgb '#009e73' title 'broker'
unset multiplot
unset output

# --- throughput-fib
reset
set terminal svg size 900,540 dynamic noenhanced font 'sans,12' background rgb 'white'
set output 'throughput-fib.svg'
set grid
set key outside right top
set datafile missing 'n/a'
set title 'Throughput against client threads, fib (log scale)'
set logscale x 2
set logscale y
set offsets graph 0.04, graph 0.04, 0, 0
set xlabel 'client threads (one connection each)'
set ylabel 'calls per second (median round; bars: lowest-highest round)'
plot  'throughput-fib.dat' index 0 using 1:2:3:4 with yerrorlines lw 2 lc rgb '#000000' title 'tcp', \
     'throughput-fib.dat' index 1 using 1:2:3:4 with yerrorlines lw 2 lc rgb '#e69f00' title 'amqp', \
     'throughput-fib.dat' index 2 using 1:2:3:4 with yerrorlines lw 2 lc rgb '#56b4e9' title 'amqp-queue', \
     'throughput-fib.dat' index 3 using 1:2:3:4 with yerrorlines lw 2 lc rgb '#009e73' title 'amqp-durable', \
     'throughput-fib.dat' index 4 using 1:2:3:4 with yerrorlines lw 2 lc rgb '#d55e00' title 'xmlrpc', \
     'throughput-fib.dat' index 5 using 1:2:3:4 with yerrorlines lw 2 lc rgb '#0072b2' title 'xmlrpc-close', \
     'throughput-fib.dat' index 6 using 1:2:3:4 with yerrorlines lw 2 lc rgb '#cc79a7' title 'zmq', \
     'throughput-fib.dat' index 7 using 1:2:3:4 with yerrorlines lw 2 lc rgb '#999999' title 'grpc', \
     'throughput-fib.dat' index 8 using 1:2:3:4 with yerrorlines lw 2 lc rgb '#8c564b' title 'rest'
unset output
reset
set terminal pngcairo size 900,540 noenhanced font 'sans,10' background rgb 'white'
set output 'throughput-fib.png'
set grid
set key outside right top
set datafile missing 'n/a'
set title 'Throughput against client threads, fib (log scale)'
set logscale x 2
set logscale y
set offsets graph 0.04, graph 0.04, 0, 0
set xlabel 'client threads (one connection each)'
set ylabel 'calls per second (median round; bars: lowest-highest round)'
plot  'throughput-fib.dat' index 0 using 1:2:3:4 with yerrorlines lw 2 lc rgb '#000000' title 'tcp', \
     'throughput-fib.dat' index 1 using 1:2:3:4 with yerrorlines lw 2 lc rgb '#e69f00' title 'amqp', \
     'throughput-fib.dat' index 2 using 1:2:3:4 with yerrorlines lw 2 lc rgb '#56b4e9' title 'amqp-queue', \
     'throughput-fib.dat' index 3 using 1:2:3:4 with yerrorlines lw 2 lc rgb '#009e73' title 'amqp-durable', \
     'throughput-fib.dat' index 4 using 1:2:3:4 with yerrorlines lw 2 lc rgb '#d55e00' title 'xmlrpc', \
     'throughput-fib.dat' index 5 using 1:2:3:4 with yerrorlines lw 2 lc rgb '#0072b2' title 'xmlrpc-close', \
     'throughput-fib.dat' index 6 using 1:2:3:4 with yerrorlines lw 2 lc rgb '#cc79a7' title 'zmq', \
     'throughput-fib.dat' index 7 using 1:2:3:4 with yerrorlines lw 2 lc rgb '#999999' title 'grpc', \
     'throughput-fib.dat' index 8 using 1:2:3:4 with yerrorlines lw 2 lc rgb '#8c564b' title 'rest'
unset output

# --- throughput-getObj
reset
set terminal svg size 900,540 dynamic noenhanced font 'sans,12' background rgb 'white'
set output 'throughput-getObj.svg'
set grid
set key outside right top
set datafile missing 'n/a'
set title 'Throughput against client threads, getObj, 100 entries (log scale)'
set logscale x 2
set logscale y
set offsets graph 0.04, graph 0.04, 0, 0
set xlabel 'client threads (one connection each)'
set ylabel 'calls per second (median round; bars: lowest-highest round)'
plot  'throughput-getObj.dat' index 0 using 1:2:3:4 with yerrorlines lw 2 lc rgb '#000000' title 'tcp', \
     'throughput-getObj.dat' index 1 using 1:2:3:4 with yerrorlines lw 2 lc rgb '#e69f00' title 'amqp', \
     'throughput-getObj.dat' index 2 using 1:2:3:4 with yerrorlines lw 2 lc rgb '#56b4e9' title 'amqp-queue', \
     'throughput-getObj.dat' index 3 using 1:2:3:4 with yerrorlines lw 2 lc rgb '#009e73' title 'amqp-durable', \
     'throughput-getObj.dat' index 4 using 1:2:3:4 with yerrorlines lw 2 lc rgb '#d55e00' title 'xmlrpc', \
     'throughput-getObj.dat' index 5 using 1:2:3:4 with yerrorlines lw 2 lc rgb '#0072b2' title 'xmlrpc-close', \
     'throughput-getObj.dat' index 6 using 1:2:3:4 with yerrorlines lw 2 lc rgb '#cc79a7' title 'zmq', \
     'throughput-getObj.dat' index 7 using 1:2:3:4 with yerrorlines lw 2 lc rgb '#999999' title 'grpc', \
     'throughput-getObj.dat' index 8 using 1:2:3:4 with yerrorlines lw 2 lc rgb '#8c564b' title 'rest'
unset output
reset
set terminal pngcairo size 900,540 noenhanced font 'sans,10' background rgb 'white'
set output 'throughput-getObj.png'
set grid
set key outside right top
set datafile missing 'n/a'
set title 'Throughput against client threads, getObj, 100 entries (log scale)'
set logscale x 2
set logscale y
set offsets graph 0.04, graph 0.04, 0, 0
set xlabel 'client threads (one connection each)'
set ylabel 'calls per second (median round; bars: lowest-highest round)'
plot  'throughput-getObj.dat' index 0 using 1:2:3:4 with yerrorlines lw 2 lc rgb '#000000' title 'tcp', \
     'throughput-getObj.dat' index 1 using 1:2:3:4 with yerrorlines lw 2 lc rgb '#e69f00' title 'amqp', \
     'throughput-getObj.dat' index 2 using 1:2:3:4 with yerrorlines lw 2 lc rgb '#56b4e9' title 'amqp-queue', \
     'throughput-getObj.dat' index 3 using 1:2:3:4 with yerrorlines lw 2 lc rgb '#009e73' title 'amqp-durable', \
     'throughput-getObj.dat' index 4 using 1:2:3:4 with yerrorlines lw 2 lc rgb '#d55e00' title 'xmlrpc', \
     'throughput-getObj.dat' index 5 using 1:2:3:4 with yerrorlines lw 2 lc rgb '#0072b2' title 'xmlrpc-close', \
     'throughput-getObj.dat' index 6 using 1:2:3:4 with yerrorlines lw 2 lc rgb '#cc79a7' title 'zmq', \
     'throughput-getObj.dat' index 7 using 1:2:3:4 with yerrorlines lw 2 lc rgb '#999999' title 'grpc', \
     'throughput-getObj.dat' index 8 using 1:2:3:4 with yerrorlines lw 2 lc rgb '#8c564b' title 'rest'
unset output

# --- throughput-sendObj
reset
set terminal svg size 900,540 dynamic noenhanced font 'sans,12' background rgb 'white'
set output 'throughput-sendObj.svg'
set grid
set key outside right top
set datafile missing 'n/a'
set title 'Throughput against client threads, sendObj, 100 entries (log scale)'
set logscale x 2
set logscale y
set offsets graph 0.04, graph 0.04, 0, 0
set xlabel 'client threads (one connection each)'
set ylabel 'calls per second (median round; bars: lowest-highest round)'
plot  'throughput-sendObj.dat' index 0 using 1:2:3:4 with yerrorlines lw 2 lc rgb '#000000' title 'tcp', \
     'throughput-sendObj.dat' index 1 using 1:2:3:4 with yerrorlines lw 2 lc rgb '#e69f00' title 'amqp', \
     'throughput-sendObj.dat' index 2 using 1:2:3:4 with yerrorlines lw 2 lc rgb '#56b4e9' title 'amqp-queue', \
     'throughput-sendObj.dat' index 3 using 1:2:3:4 with yerrorlines lw 2 lc rgb '#009e73' title 'amqp-durable', \
     'throughput-sendObj.dat' index 4 using 1:2:3:4 with yerrorlines lw 2 lc rgb '#d55e00' title 'xmlrpc', \
     'throughput-sendObj.dat' index 5 using 1:2:3:4 with yerrorlines lw 2 lc rgb '#0072b2' title 'xmlrpc-close', \
     'throughput-sendObj.dat' index 6 using 1:2:3:4 with yerrorlines lw 2 lc rgb '#cc79a7' title 'zmq', \
     'throughput-sendObj.dat' index 7 using 1:2:3:4 with yerrorlines lw 2 lc rgb '#999999' title 'grpc', \
     'throughput-sendObj.dat' index 8 using 1:2:3:4 with yerrorlines lw 2 lc rgb '#8c564b' title 'rest'
unset output
reset
set terminal pngcairo size 900,540 noenhanced font 'sans,10' background rgb 'white'
set output 'throughput-sendObj.png'
set grid
set key outside right top
set datafile missing 'n/a'
set title 'Throughput against client threads, sendObj, 100 entries (log scale)'
set logscale x 2
set logscale y
set offsets graph 0.04, graph 0.04, 0, 0
set xlabel 'client threads (one connection each)'
set ylabel 'calls per second (median round; bars: lowest-highest round)'
plot  'throughput-sendObj.dat' index 0 using 1:2:3:4 with yerrorlines lw 2 lc rgb '#000000' title 'tcp', \
     'throughput-sendObj.dat' index 1 using 1:2:3:4 with yerrorlines lw 2 lc rgb '#e69f00' title 'amqp', \
     'throughput-sendObj.dat' index 2 using 1:2:3:4 with yerrorlines lw 2 lc rgb '#56b4e9' title 'amqp-queue', \
     'throughput-sendObj.dat' index 3 using 1:2:3:4 with yerrorlines lw 2 lc rgb '#009e73' title 'amqp-durable', \
     'throughput-sendObj.dat' index 4 using 1:2:3:4 with yerrorlines lw 2 lc rgb '#d55e00' title 'xmlrpc', \
     'throughput-sendObj.dat' index 5 using 1:2:3:4 with yerrorlines lw 2 lc rgb '#0072b2' title 'xmlrpc-close', \
     'throughput-sendObj.dat' index 6 using 1:2:3:4 with yerrorlines lw 2 lc rgb '#cc79a7' title 'zmq', \
     'throughput-sendObj.dat' index 7 using 1:2:3:4 with yerrorlines lw 2 lc rgb '#999999' title 'grpc', \
     'throughput-sendObj.dat' index 8 using 1:2:3:4 with yerrorlines lw 2 lc rgb '#8c564b' title 'rest'
unset output
