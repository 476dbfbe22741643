#!/usr/bin/env python3
"""What takes room in a wasm module: code bytes per function and per crate, from the name section.
For the first-download budget (ARCHITECTURE.md). Build with names first: in xtask/src/split.rs pass
`--keep-debug` to wasm-bindgen and `-g` to wasm-opt (not committed: the release build strips
names), run `cargo xtask dist`, then: `python3 tools/wasm-sizes.py dist/licswap_bg.wasm 40`.
"""
import sys, re, collections, subprocess
data=open(sys.argv[1],'rb').read()
def leb(b,i):
    r=0;s=0
    while True:
        x=b[i];i+=1;r|=(x&0x7f)<<s;s+=7
        if x<0x80: return r,i
i=8; sections=[]
while i<len(data):
    sid=data[i]; i+=1; size,i=leb(data,i); sections.append((sid,i,size)); i+=size
nimports=0
for sid,off,size in sections:
    if sid==2:
        j=off; n,j=leb(data,j)
        for _ in range(n):
            l,j=leb(data,j); j+=l; l,j=leb(data,j); j+=l; kind=data[j]; j+=1
            if kind==0: _,j=leb(data,j); nimports+=1
            elif kind==1: j+=1; fl=data[j]; j+=1; _,j=leb(data,j); j = leb(data,j)[1] if fl&1 else j
            elif kind==2: fl=data[j]; j+=1; _,j=leb(data,j); j = leb(data,j)[1] if fl&1 else j
            elif kind==3: j+=2
            elif kind==4: j+=1; _,j=leb(data,j)
names={}
for sid,off,size in sections:
    if sid==0:
        j=off; l,j=leb(data,j); nm=data[j:j+l].decode(); j+=l
        if nm=='name':
            end=off+size
            while j<end:
                sub=data[j]; j+=1; ssz,j=leb(data,j)
                if sub==1:
                    k=j; n,k=leb(data,k)
                    for _ in range(n):
                        idx,k=leb(data,k); l,k=leb(data,k); names[idx]=data[k:k+l].decode('utf8','replace'); k+=l
                j+=ssz
sizes=[]
for sid,off,size in sections:
    if sid==10:
        j=off; n,j=leb(data,j)
        for f in range(n):
            sz,j=leb(data,j); sizes.append((sz, names.get(nimports+f,'?'))); j+=sz
print("functions", len(sizes), "code bytes", sum(s for s,_ in sizes))
def crate(n):
    m=re.search(r'(?:_ZN|_R[A-Za-z]*?)?\d*([a-z_][a-z0-9_]+)', n)
    for c in ['licswap_core','licswap_planner','licswap_sim','licswap','leptos','reactive_graph','tachys','serde_json','serde','hashbrown','alloc','core','std','dlmalloc','wasm_bindgen','js_sys','web_sys','gloo','oauth2','miniz_oxide','base64','futures','sha2','getrandom','any_spawner','or_poisoned','send_wrapper','server_fn','throw_error','url','http']:
        if c in n: return c
    return 'other'
agg=collections.Counter()
for s,n in sizes: agg[crate(n)]+=s
for c,s in agg.most_common(25): print(f"{s:8d} {c}")
print()
for s,n in sorted(sizes,reverse=True)[:int(sys.argv[2]) if len(sys.argv)>2 else 30]: print(f"{s:7d} {n[:150]}")
