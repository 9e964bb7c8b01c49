"""Reference of the DWFF scene task in PyTorch (diagnostic, not a test; docs/methods/dwff.md "Diagnosis"): builds the
Fashion-MNIST scenes (2 items, scale, placement step), pre-trains the same small ViT as dwff/pretrain-vit (patch 16,
4 pre-norm blocks, width 64, 4 heads, GELU; head on the mean of the patch tokens) and writes the levels of blocks 1-4
of 320 train and 96 test scenes for scenes_probe.py and scenes_compare.py. Run:
  /usr/bin/python3 bench/dwff/scenes_vit.py scale=1.143 step=16 out=/tmp/a16     [pool=mean|max|lse ds=mnist
      vit_images=6000 vit_epochs=1 vit_batch=32 vit_lr=0.002]
"""
import numpy as np, torch, gzip, sys, time, math
import torch.nn as nn, torch.nn.functional as F
import os; sys.path.insert(0, os.path.dirname(os.path.abspath(__file__))); 
from dwff_torch import Dwff, loss_fn
torch.set_num_threads(1)
A=dict(a.split('=') for a in sys.argv[1:])
ds=A.get('ds','fashion-mnist'); S=int(A.get('side',64)); scale=float(A.get('scale',1.5)); pool=A.get('pool','mean'); step=int(A.get('step',1))
nimg=int(A.get('vit_images',6000)); vep=int(A.get('vit_epochs',1)); vbs=int(A.get('vit_batch',32)); vlr=float(A.get('vit_lr',2e-3))
D=64; g=S//16; K=11
def idx(p):
    with gzip.open(p) as f: b=f.read()
    if b[2:4]==b'\x08\x03': n,h,w=np.frombuffer(b[4:16],'>i4'); return np.frombuffer(b[16:],'u1').reshape(n,h,w).astype(np.float32)/255
    return np.frombuffer(b[8:],'u1').astype(np.int64)
d='/work/shared/data/'+ds
Xtr=idx(d+'/train-images-idx3-ubyte.gz'); ytr=idx(d+'/train-labels-idx1-ubyte.gz'); Xte=idx(d+'/t10k-images-idx3-ubyte.gz'); yte=idx(d+'/t10k-labels-idx1-ubyte.gz')
isz=int(round(28*scale))
def rs(x): return F.interpolate(torch.tensor(x)[:,None],size=(isz,isz),mode='bilinear',align_corners=False)[:,0].numpy()
Xtr_s=rs(Xtr[:max(nimg,20000)]); Xte_s=rs(Xte)
def scenes(X,y,n,seed,nitems=2):
    r=np.random.default_rng(seed); px=np.zeros((n,S,S),np.float32); lab=np.zeros((n,S,S),np.int64)
    for s in range(n):
        for k in range(nitems):
            i=r.integers(len(X)); y0=r.integers((S-isz)//step+1)*step; x0=r.integers((S-isz)//step+1)*step
            it=X[i]; reg=px[s,y0:y0+isz,x0:x0+isz]; lr_=lab[s,y0:y0+isz,x0:x0+isz]
            m=it>reg; reg[m]=it[m]; lr_[m&(it>=0.25)]=y[i]+1
    return px,lab
class ViT(nn.Module):
    def __init__(s):
        super().__init__()
        s.pe=nn.Conv2d(1,D,16,16); s.cls=nn.Parameter(torch.randn(1,1,D)*.02); s.pos=nn.Parameter(torch.randn(1,g*g+1,D)*.02)
        s.blocks=nn.ModuleList(nn.TransformerEncoderLayer(D,4,2*D,0,'gelu',batch_first=True,norm_first=True) for _ in range(4))
        s.norm=nn.LayerNorm(D); s.head=nn.Linear(D,10)
    def hs(s,x):
        b=x.shape[0]; t=s.pe(x).flatten(2).transpose(1,2); t=torch.cat([s.cls.expand(b,1,D),t],1)+s.pos; out=[t]
        for bl in s.blocks: t=bl(t); out.append(t)
        return out
    def forward(s,x):
        n=s.norm(s.hs(x)[-1])[:,1:]
        if pool=='mean': return s.head(n.mean(1))
        if pool=='max': return s.head(n).max(1).values
        if pool=='lse': return torch.logsumexp(s.head(n),1)
    def levels(s,x): return [h[:,1:].reshape(x.shape[0],g,g,D).permute(0,3,1,2) for h in s.hs(x)[1:]]
torch.manual_seed(12); vit=ViT(); opt=torch.optim.AdamW(vit.parameters(),vlr,weight_decay=0.05)
sch=torch.optim.lr_scheduler.CosineAnnealingLR(opt,vep); r=np.random.default_rng(12); t0=time.time()
def canvas(X,ids,r):
    c=np.zeros((len(ids),1,S,S),np.float32)
    for j,i in enumerate(ids):
        y0=r.integers((S-isz)//step+1)*step; x0=r.integers((S-isz)//step+1)*step; c[j,0,y0:y0+isz,x0:x0+isz]=X[i]
    return torch.tensor(c)
for e in range(vep):
    perm=r.permutation(nimg); tot=0;nb=0
    for i in range(0,nimg,vbs):
        ids=perm[i:i+vbs]; l=F.cross_entropy(vit(canvas(Xtr_s,ids,r)),torch.tensor(ytr[ids]))
        opt.zero_grad(); l.backward(); opt.step(); tot+=l.item(); nb+=1
    sch.step(); print('vit epoch',e+1,'loss %.3f'%(tot/nb),'%.0fs'%(time.time()-t0),flush=True)
vit.eval()
with torch.no_grad():
    acc=(vit(canvas(Xte_s,range(1000),np.random.default_rng(5))).argmax(1)==torch.tensor(yte[:1000])).float().mean().item()
print('vit single-item test acc %.3f'%acc)
ptr,ltr=scenes(Xtr_s,ytr,320,25); pte,lte=scenes(Xte_s,yte,96,26)
with torch.no_grad():
    ftr=torch.stack(vit.levels(torch.tensor(ptr)[:,None]),1); fte=torch.stack(vit.levels(torch.tensor(pte)[:,None]),1)
out=A.get('out')
if out:
    import os; os.makedirs(out,exist_ok=True)
    for tag,f,l,p in (('train',ftr,ltr,ptr),('test',fte,lte,pte)):
        f.numpy().astype('<f4').tofile(f'{out}/{tag}-levels.f32'); l.astype('u1').tofile(f'{out}/{tag}-labels.u8'); p.astype('<f4').tofile(f'{out}/{tag}-pixels.f32')
    print('dumped',out)
