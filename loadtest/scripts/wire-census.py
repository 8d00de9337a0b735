#!/usr/bin/env python3
"""Per-phase wire census from WireCensus history snapshots. usage: census.py RUN_DIR"""
import sys, os, glob, json, bisect, collections
run = sys.argv[1]
role = lambda p: 'master' if p.startswith('25') else ('media' if p.startswith('26') else '?')
series = {}  # node port -> sorted [(t, {(to,cls):(n,b)})]
for d in glob.glob(run + '/census/*/'):
    port = os.path.basename(d.rstrip('/'))
    snaps = []
    for f in sorted(glob.glob(d + '*.tsv'), key=lambda f: int(os.path.basename(f)[:-4])):
        t = int(os.path.basename(f)[:-4]); m = {}
        for line in open(f).read().splitlines()[1:]:
            parts = line.split('\t')
            if len(parts) == 4:
                m[(parts[0], parts[1])] = (int(parts[2]), int(parts[3]))
        snaps.append((t, m))
    series[port] = snaps
def at(port, t):
    s = series[port]; i = bisect.bisect_right([x[0] for x in s], t) - 1
    return s[i][1] if i >= 0 else {}
def short(c):
    return c.replace('io.tessera.common.protocol.', '').replace('org.apache.pekko.', 'pekko.').replace('io.tessera.', '')
# marker times: when total count of a class (over all nodes) increases
def increments(suffix):
    ts = set()
    for port, s in series.items():
        prev = 0
        for t, m in s:
            n = sum(v[0] for k, v in m.items() if k[1].endswith(suffix))
            if n > prev: ts.add(t)
            prev = n
    return sorted(ts)
marks = {k: increments(v) for k, v in
         {'create': 'MediaNodeProtocol$HostSession', 'join': 'MediaNodeProtocol$Join', 'delete': 'MediaNodeProtocol$CloseSession'}.items()}
# measured round: after the last gap >= 5 s in create+join markers
allm = sorted(set(marks['create']) | set(marks['join']) | set(marks['delete']))
start = allm[0]
for a, b in zip(allm, allm[1:]):
    if b - a >= 9000: start = b; idle = (a, b)
last = lambda k: [t for t in marks[k] if t >= start]
c, j, d = last('create'), last('join'), last('delete')
ops = json.load(open(glob.glob(run + '/out/**/control-plane.json', recursive=True)[0])) if glob.glob(run + '/out/**/control-plane.json', recursive=True) else None
phases = [('sessionCreate', c[0] - 250, c[-1]), ('connectionCreate', c[-1], j[0] - 250), ('join', j[0] - 250, j[-1]),
          ('leave', j[-1], d[0] - 250), ('sessionDelete', d[0] - 250, d[-1]), ('idle', idle[0] + 2000, idle[1] - 2000)]
out = {}
for name, a, b in phases:
    tot = collections.Counter(); byt = collections.Counter()
    for port in series:
        ma, mb = at(port, a), at(port, b)
        for k, v in mb.items():
            n = v[0] - ma.get(k, (0, 0))[0]; by = v[1] - ma.get(k, (0, 0))[1]
            if n:
                key = (role(port) + '->' + role(k[0]), short(k[1]))
                tot[key] += n; byt[key] += by
    out[name] = {'seconds': (b - a) / 1000, 'counts': {f'{k[0]} {k[1]}': [tot[k], byt[k]] for k in tot}}
    print(f'## {name}: {(b - a) / 1000:.2f} s')
    for k in sorted(tot, key=lambda k: -tot[k]):
        print(f'{tot[k]:7d} {byt[k]:9d}  {k[0]:14s} {k[1]}')
json.dump(out, open(run + '/census.json', 'w'), indent=1)
