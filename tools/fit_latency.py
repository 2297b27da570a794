#!/usr/bin/env python3
# Fits the latency model rtt = FixedMs + MsPerKm x km to measured RTTs and reports its median absolute percentage error.
# Usage: npm pack world-countries@5.1.0 && tar xzf world-countries-5.1.0.tgz && WORLD_COUNTRIES=package/countries.json python3 tools/fit_latency.py
# (country centroids for the RIPE Atlas country pairs come from the npm package world-countries, ODbL).
import json, csv, gzip, math, re, statistics
def hav(a,b):
    la1,lo1,la2,lo2=map(math.radians,(a[0],a[1],b[0],b[1]))
    h=math.sin((la2-la1)/2)**2+math.cos(la1)*math.cos(la2)*math.sin((lo2-lo1)/2)**2
    return 2*6371.0088*math.asin(min(1,math.sqrt(h)))
import os, sys
S=os.environ.get("LATENCY_DATA", os.path.join(os.path.dirname(__file__), "../../shared/data/latency/"))
WC=os.environ.get("WORLD_COUNTRIES", "world-countries/countries.json")
coords={r['code']:(float(r['lat']),float(r['lon'])) for r in csv.DictReader(open(S+'aws_region_coords_from_aws-ping.csv'))}
aws=json.load(open(S+'aws_cloudping_p50_1y.json'))['data']
A=[]
for a,row in aws.items():
    for b,v in row.items():
        if a<b and a in coords and b in coords and v: A.append((hav(coords[a],coords[b]),float(v)))
city={'Dallas':(32.7767,-96.797),'Toronto':(43.6532,-79.3832),'Washington DC':(38.9072,-77.0369),'Frankfurt':(50.1109,8.6821),'London':(51.5074,-0.1278),'Madrid':(40.4168,-3.7038),'Montreal':(45.5019,-73.5674),'Chennai':(13.0827,80.2707),'Mumbai':(19.076,72.8777),'Osaka':(34.6937,135.5023),'Sydney':(-33.8688,151.2093),'Tokyo':(35.6762,139.6503),'Sao Paulo':(-23.5505,-46.6333)}
I=[]
lines=open(S+'ibm_vpc_network-latency.md').read().split('\n')
# first inter-region table
hdr=None
for ln in lines:
    if ln.startswith('| Average latency (ms) | Dallas'):
        hdr=[c.strip() for c in ln.strip('|').split('|')][1:]; continue
    if hdr and ln.startswith('| **'):
        cells=[c.strip() for c in ln.strip('|').split('|')]
        a=cells[0].strip('*')
        for b,v in zip(hdr,cells[1:]):
            if v and a<b: I.append((hav(city[a],city[b]),float(v)))
    elif hdr and ln.startswith('{:'):
        break
cc={c['cca2']:tuple(c['latlng']) for c in json.load(open(WC))}
R=[]
for r in csv.DictReader(gzip.open(S+'ripe_atlas_country_rtt_stat.csv.gz','rt')):
    a,b=r['cty1'],r['cty2']
    if a<b and a in cc and b in cc: R.append((hav(cc[a],cc[b]),float(r['rtt_avg'])))
print(len(A),len(I),len(R))
def model(d,f,k,floor): return max(floor, f+k*d)
def mape(data,f,k,floor,minkm=500):
    e=[abs(model(d,f,k,floor)-m)/m for d,m in data if d>minkm and m>0]
    return statistics.median(e)
best=None
for f in [x*0.5 for x in range(0,41)]:
    for k in [0.012+0.0002*i for i in range(60)]:
        v=mape(A+I,f,k,2)
        if best is None or v<best[0]: best=(v,f,k)
print('fit AWS+IBM >500km', best)
v,f,k=best
for name,data in (('AWS',A),('IBM',I),('RIPE',R)):
    print(name, 'MAPE>500km %.1f%%'%(100*mape(data,f,k,2)), 'all %.1f%%'%(100*mape(data,f,k,2,minkm=-1)), 'n>500', sum(1 for d,m in data if d>500))
# near pairs
print('near', [ (round(d),m) for d,m in A if d<500][:10])
def knee_model(d, f, k, floor=2, knee=500):
    return max(floor, f + k * d) if d >= knee else floor + (f + k * knee - floor) * d / knee
print('model with the 500 km knee (what Meridian uses):')
for name, data in (('AWS', A), ('IBM', I), ('RIPE', R)):
    for lo, hi in ((500, 1e9), (0, 500)):
        e = [abs(knee_model(d, f, k) - m) / m for d, m in data if lo <= d < hi and m > 0]
        if e: print(' ', name, f'{lo}-{hi if hi < 1e9 else "inf"} km', len(e), 'pairs, MAPE %.1f%%' % (100 * statistics.median(e)))
