"256 px end to end: prepare --size 256, a tiny run of each approach, sampling, a latent walk and the metrics."
import os, subprocess
import pytest, torch
from conftest import cli
from lsun_gan.train import train, RunConfig, Budget, latent_walks, sample as sample_ckpt
from lsun_gan.metrics import swd, image_batches

@pytest.mark.long
@pytest.mark.filterwarnings("ignore:No ImageNet weights")   # offline
@pytest.mark.filterwarnings(r"ignore:epoch \d+. the critic's loss stayed above")   # one critic step, by design
def test_256px_prepare_train_sample_evaluate(sample, tmp_path):
    "Each approach trains a generator step at 256 px and samples 256 px images; the metrics take them"
    src = tmp_path/'imgs'; src.mkdir()
    for f in sorted(sample.iterdir())[:12]: (src/f.name).symlink_to(f)   # the pretrained GAN holds out 1
    r = subprocess.run([cli('lsun_gan_prepare'), src, tmp_path/'c256', '--size', '256'], capture_output=True, text=True,
                       env={**os.environ, 'OMP_NUM_THREADS': '2'})
    assert r.returncode == 0 and 'at 256 px' in r.stdout, r.stderr[-2000:]
    for arch, kw in (('dcgan', dict(nf=8)), ('wgan', dict(nf=8)),
                     ('gan', dict(backbone='resnet18', learner_kw=dict(max_crit=1)))):
        run = tmp_path/arch
        train(RunConfig(arch, tmp_path/'c256', size=256, bs=4, **kw), run, budget=Budget(gen_steps=1), num_workers=0,
              n_samples=4, collapse=False, device='cpu')
        x = sample_ckpt(run/'ckpt.pth', n=3, data=tmp_path/'c256' if arch == 'gan' else None, device='cpu')
        assert x.shape == (3, 3, 256, 256) and x.dtype == torch.uint8 and x.float().std() > 0, arch
    walk = latent_walks(tmp_path/'dcgan'/'ckpt.pth', k=1, steps=3, device='cpu')
    assert walk.shape == (1, 3, 3, 256, 256)
    real = next(image_batches(tmp_path/'c256', 8, 8, size=256))
    fake = sample_ckpt(tmp_path/'dcgan'/'ckpt.pth', n=8, device='cpu')
    assert real.shape == fake.shape == (8, 3, 256, 256)
    assert swd(real, fake)['swd_avg'] > 0
