"""The four-variant comparison of dwff-scenes.yaml (DWFF, SWFF, NWFF-last, NWFF-all; Fc 32, mid 32/32; AdamW lr 0.01,
wd 0.04, cosine per epoch, batch 4; the official loss, entropy term for DWFF only; seeds 1, 2, 3) on levels dumped by
scenes_vit.py, in PyTorch (docs/methods/dwff.md). Run:
  /usr/bin/python3 bench/dwff/scenes_compare.py dir=DIR epochs=10
"""
import numpy as np, torch, sys, time
import os; sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dwff_torch import Dwff, Head, groups
import torch.nn as nn, torch.nn.functional as F
torch.set_num_threads(1)
A=dict(a.split('=') for a in sys.argv[1:])
d=A.get('dir'); D=64; S=64; g=4; L=4; K=11
def load(tag):
    lv=np.fromfile(f'{d}/{tag}-levels.f32','<f4'); n=lv.size//(L*D*g*g); lv=lv.reshape(n,L,D,g,g)
    lab=np.fromfile(f'{d}/{tag}-labels.u8','u1').reshape(n,S,S).astype(np.int64)
    return torch.tensor(lv),torch.tensor(lab)
(trl,trlab),(tel,telab)=load('train'),load('test')
epochs=int(A.get('epochs',10)); bs=4; lr=0.01; fc=32
class Plain(nn.Module):
    def __init__(s,levels,static):
        super().__init__()
        s.projections=nn.ModuleList(nn.Sequential(nn.Conv2d(D,fc,1,bias=False),nn.GroupNorm(groups(fc),fc),nn.ReLU()) for _ in range(levels))
        s.weights=nn.ParameterList(nn.Parameter(torch.tensor(0.1*(i+1))) for i in range(levels)) if static else None
        s.decoder=Head(fc,fc,fc,K)
    def forward(s,feats):
        p=[pr(f) for pr,f in zip(s.projections,feats)]
        fused=sum((s.weights[i]*t if s.weights is not None else t) for i,t in enumerate(p))
        return s.decoder(fused),None
def seg_loss(logits,target):
    t=F.one_hot(target,K).permute(0,3,1,2).float(); prob=logits.softmax(1)
    inter=(prob*t).sum((0,2,3)); ts=t.sum((0,2,3)); dc=2*inter/(prob.sum((0,2,3))+ts).clamp_min(1e-7)
    dice=((1-dc)*(ts>0).float()).mean()
    bce=F.binary_cross_entropy_with_logits(logits,t,reduction='none')
    focal=((1-torch.exp(-bce))**2*bce).sum()/(logits.shape[0]*logits.shape[2]*logits.shape[3])
    return 0.5*dice+0.5*focal
def miou(pred,lab):
    ious=[]; msk=lab>0
    for k in range(1,K):
        t=(lab==k)&msk; p=(pred==k)&msk
        if t.sum()>0: ious.append(((t&p).sum()/(t|p).sum()).item())
    return np.mean(ious)
res={}
for var in A.get('variants','DWFF,SWFF,NWFF-last,NWFF-all').split(','):
    sel=[3] if var=='NWFF-last' else [0,1,2,3]
    res[var]=[]
    for seed in (1,2,3):
        torch.manual_seed(seed); t0=time.time()
        m=Dwff(L,D,fc,fc,fc,K) if var=='DWFF' else Plain(len(sel),var=='SWFF')
        opt=torch.optim.AdamW(m.parameters(),lr=lr,weight_decay=0.04); sch=torch.optim.lr_scheduler.CosineAnnealingLR(opt,epochs)
        n=trl.shape[0]; m.train()
        for e in range(epochs):
            perm=torch.randperm(n)
            for i in range(0,n,bs):
                idx=perm[i:i+bs]; lg,w=m([trl[idx,j] for j in sel])
                l=seg_loss(lg,trlab[idx])
                if w is not None: l=l-0.01*(-(w*torch.log(w+1e-8)).sum(1).mean())
                opt.zero_grad(); l.backward(); opt.step()
            sch.step()
        m.eval()
        with torch.no_grad():
            lg,w=m([tel[:,j] for j in sel]); p=lg.argmax(1)
        mi=miou(p,telab); acc=(p==telab).float().mean().item(); res[var].append(mi)
        ws='' if w is None else ' weights '+' '.join('%.3f'%x for x in w.mean(0).tolist())
        if var=='SWFF': ws=' scalars '+' '.join('%.3f'%x.item() for x in m.weights)
        print('%s seed %d: fg mIoU %.4f pixel acc %.4f (%.0f s)%s'%(var,seed,mi,acc,time.time()-t0,ws),flush=True)
    r=np.array(res[var]); print('%s mean %.4f std %.4f'%(var,r.mean(),r.std(ddof=1)),flush=True)
