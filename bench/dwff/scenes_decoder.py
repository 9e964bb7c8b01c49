"""One DWFF decoder (Fc 32, mid 32/32, official loss or loss=ce) trained on dumped levels in PyTorch, with the test
foreground mIoU, pixel accuracy and binary foreground IoU every few epochs (diagnostic; docs/methods/dwff.md). Run:
  /usr/bin/python3 bench/dwff/scenes_decoder.py dir=DIR epochs=10 [batch=4 lr=0.01 loss=official|ce seed=1]
"""
import numpy as np, torch, sys, time, math
import os; sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dwff_torch import Dwff, loss_fn
import torch.nn.functional as F
torch.set_num_threads(1)
args=dict(a.split('=') for a in sys.argv[1:])
d=args.get('dir','/tmp/s4dwff'); D=int(args.get('dim',64)); S=int(args.get('side',64)); g=S//16; L=4; K=11
def load(tag):
    lv=np.fromfile(f'{d}/{tag}-levels.f32','<f4'); n=lv.size//(L*D*g*g); lv=lv.reshape(n,L,D,g,g)
    lab=np.fromfile(f'{d}/{tag}-labels.u8','u1').reshape(n,S,S).astype(np.int64)
    return torch.tensor(lv),torch.tensor(lab)
(trl,trlab),(tel,telab)=load('train'),load('test')
epochs=int(args.get('epochs',3)); bs=int(args.get('batch',4)); lr=float(args.get('lr',0.01)); fc=int(args.get('fc',32))
lossname=args.get('loss','official'); seed=int(args.get('seed',1))
torch.manual_seed(seed)
m=Dwff(L,D,fc,fc,fc,K)
opt=torch.optim.AdamW(m.parameters(),lr=lr,weight_decay=0.04)
sched=torch.optim.lr_scheduler.CosineAnnealingLR(opt,epochs)
def miou(pred,lab):
    ious=[]
    msk=lab>0
    for k in range(1,K):
        t=(lab==k)&msk; p=(pred==k)&msk
        if t.sum()>0: ious.append(((t&p).sum()/(t|p).sum()).item())
    return np.mean(ious)
def evaluate():
    m.eval()
    with torch.no_grad():
        lg,_=m([tel[:,i] for i in range(L)]); p=lg.argmax(1)
    m.train(); return miou(p,telab),(p==telab).float().mean().item(),((p>0)&(telab>0)).sum().item()/((p>0)|(telab>0)).sum().item()
t0=time.time(); n=trl.shape[0]
for e in range(epochs):
    perm=torch.randperm(n); tot=0
    for i in range(0,n,bs):
        idx=perm[i:i+bs]
        lg,w=m([trl[idx,j] for j in range(L)])
        if lossname=='official': l=loss_fn(lg,trlab[idx],w)
        else: l=F.cross_entropy(lg,trlab[idx])
        opt.zero_grad(); l.backward(); opt.step(); tot+=l.item()
    sched.step()
    if (e+1)%max(1,epochs//6)==0 or e==epochs-1:
        mi,acc,biou=evaluate(); print('epoch %d loss %.4f test fg mIoU %.4f acc %.4f binIoU %.3f (%.0fs)'%(e+1,tot/(n/bs),mi,acc,biou,time.time()-t0),flush=True)
