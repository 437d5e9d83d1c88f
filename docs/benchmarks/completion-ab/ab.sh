#!/bin/bash
# usage: ab.sh label jar ... : for each jar, restart history with it, warm up, measure
for jar in "$@"; do
  /tmp/lat/hist.sh $jar > /dev/null
  pgrep -f 'jar --server.port=8081' > /dev/null || /tmp/lat/sync.sh /tmp/lat/sync.jar > /dev/null
  cd /tmp/lat
  java -cp . Load 16 16 75 > /dev/null 2>&1
  java -cp . Load 16 1 30 > /dev/null 2>&1
  for case in "16 16 30" "16 1 30" "1 1 20"; do
    (java -cp . Load $case > /tmp/lat/o 2>&1 &) ; sleep 3
    cpu=$(/tmp/lat/cpu.sh $(( ${case##* } - 6 )) 2>/dev/null | head -1)
    sleep 5
    echo "$(basename $jar) [$case] $(tail -1 /tmp/lat/o) | $cpu"
  done
done
