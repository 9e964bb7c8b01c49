"""Linear probe of frozen levels (diagnostic; docs/methods/dwff.md): for each 16x16 patch of a scene, the majority
pixel class (background included) is predicted from the patch token(s) by a softmax regression (full-batch Adam, 300
steps) fitted on the train scenes and scored on the test scenes; also the ceiling of the 4x4 patch grid (every patch
predicts its majority class). Reads the files of scenes_vit.py or of DwffLevelDump (Tessera's ViT). Run:
  /usr/bin/python3 bench/dwff/scenes_probe.py DIR
"""
import numpy as np, torch, sys
torch.set_num_threads(1)
D=int(sys.argv[2]) if len(sys.argv)>2 else 64; L=4; S=int(sys.argv[3]) if len(sys.argv)>3 else 64; g=S//16; K=11
d=sys.argv[1] if len(sys.argv)>1 else '/tmp/s4dwff'
def load(tag):
    lv=np.fromfile(f'{d}/{tag}-levels.f32','<f4'); n=lv.size//(L*D*g*g); lv=lv.reshape(n,L,D,g,g)
    lab=np.fromfile(f'{d}/{tag}-labels.u8','u1').reshape(n,S,S).astype(np.int64)
    px=np.fromfile(f'{d}/{tag}-pixels.f32','<f4').reshape(n,S,S)
    return lv,lab,px
tr=load('train'); te=load('test')
for nm,(lv,lab,px) in (('train',tr),('test',te)):
    fg=lab>0
    print(nm, 'scenes',lab.shape[0],'bg share %.3f'%(1-fg.mean()), 'label>0 & px<0.25:',(fg&(px<0.25)).sum(), 'counts',np.bincount(lab.ravel(),minlength=K))
def patch_major(lab, fgonly=False):
    n=lab.shape[0]; p=lab.reshape(n,g,16,g,16).transpose(0,1,3,2,4).reshape(n,g,g,256)
    cnt=np.stack([(p==k).sum(-1) for k in range(K)],-1)
    if fgonly: cnt[...,0]=0
    return cnt.argmax(-1), cnt
def miou_fg(pred,lab):
    ious=[]
    m=lab>0
    for k in range(1,K):
        t=(lab==k)&m; p=(pred==k)&m
        u=(t|p).sum()
        if (t.sum())>0: ious.append((t&p).sum()/max(u,1))
    return np.mean(ious), ious
# ceiling: each patch predicts its majority class (nearest upsample)
for nm,(lv,lab,px) in (('train',tr),('test',te)):
    mj,_=patch_major(lab)
    up=mj.repeat(16,1).repeat(16,2)
    print(nm,'ceiling (patch majority, nearest) fg mIoU %.3f pix acc %.3f'%(miou_fg(up,lab)[0],(up==lab).mean()))
def fit(Xtr,ytr,Xte,yte,epochs=300):
    mu=Xtr.mean(0); sd=Xtr.std(0)+1e-6
    Xtr=torch.tensor((Xtr-mu)/sd,dtype=torch.float32); Xte=torch.tensor((Xte-mu)/sd,dtype=torch.float32)
    ytr=torch.tensor(ytr); yte_t=torch.tensor(yte)
    lin=torch.nn.Linear(Xtr.shape[1],K); opt=torch.optim.Adam(lin.parameters(),1e-2,weight_decay=1e-4)
    for e in range(epochs):
        opt.zero_grad(); l=torch.nn.functional.cross_entropy(lin(Xtr),ytr); l.backward(); opt.step()
    with torch.no_grad():
        a_tr=(lin(Xtr).argmax(1)==ytr).float().mean().item(); pte=lin(Xte).argmax(1); a_te=(pte==yte_t).float().mean().item()
    return a_tr,a_te,pte.numpy()
mtr,_=patch_major(tr[1]); mte,_=patch_major(te[1])
for lvl in ['1','2','3','4','all']:
    sel=[0,1,2,3] if lvl=='all' else [int(lvl)-1]
    Xtr=tr[0][:,sel].transpose(0,3,4,1,2).reshape(-1,len(sel)*D); Xte=te[0][:,sel].transpose(0,3,4,1,2).reshape(-1,len(sel)*D)
    a_tr,a_te,p=fit(Xtr,mtr.ravel(),Xte,mte.ravel())
    # patches whose majority is fg: accuracy
    fgm=mte.ravel()>0
    up=p.reshape(-1,g,g).repeat(16,1).repeat(16,2)
    print('level',lvl,'probe patch acc train %.3f test %.3f; test fg-patch acc %.3f; pixel fg mIoU %.3f'%(a_tr,a_te,(p[fgm]==mte.ravel()[fgm]).mean(),miou_fg(up,te[1])[0]))
