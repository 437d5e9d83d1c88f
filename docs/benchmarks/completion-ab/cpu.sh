#!/bin/bash
# usage: cpu.sh seconds ; prints CPU ms per process (sync, history, cassandra, redis) and per thread-name group
S=$1
snap() { for p in $(pgrep -f 'jar --server.port=808|CassandraDaemon|redis-server'); do
  for t in /proc/$p/task/*; do
    read -r line < $t/stat 2>/dev/null || continue
    name=$(cat $t/comm 2>/dev/null | sed 's/[0-9]*$//; s/ /_/g')
    set -- ${line##*) }
    echo "$p $name $(( ${12} + ${13} ))"
  done; done; }
snap > /tmp/lat/a; sleep $S; snap > /tmp/lat/b
python3 - "$S" <<'PY'
import sys,collections,subprocess
def load(f):
  d=collections.Counter()
  for l in open(f):
    p,n,v=l.split(); d[(p,n)]+=int(v)
  return d
a,b=load('/tmp/lat/a'),load('/tmp/lat/b')
names={}
for p in set(k[0] for k in b):
  c=open(f'/proc/{p}/cmdline').read()
  names[p]='sync' if '8081' in c else 'history' if '8082' in c else 'cassandra' if 'Cassandra' in c else 'redis'
tot=collections.Counter(); grp=collections.Counter()
for k,v in b.items():
  d=(v-a.get(k,0))*10
  tot[names[k[0]]]+=d; grp[(names[k[0]],k[1])]+=d
print('ms CPU over', sys.argv[1],'s:', dict(tot))
for (s,n),v in sorted(grp.items(), key=lambda x:-x[1])[:25]:
  print(f'{s:10} {n:30} {v}')
PY
