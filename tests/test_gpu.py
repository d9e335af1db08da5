"""The GPU path, on a CUDA GPU (skipped without one; `bench/gpu.py` runs these on the GPU machine): uint8 batches from
pinned memory, batch transforms on the device, bf16 and fp16 with a scaler per network, channels_last, sampling from a
`SyncBatchNorm` generator, FID on the GPU, the pretrained GAN."""
import math
import numpy as np, pytest, torch
from torch import nn
from fastai.callback.channelslast import ChannelsLast

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA GPU here: bench/gpu.py runs these on one")

@pytest.fixture(scope='module')
def cache(tmp_path_factory):
    from lsun_gan.cache import sample_path, prepare
    src = sample_path()
    if src is None: pytest.skip("no LSUN sample: set LSUN_GAN_SAMPLE")
    return prepare(src, tmp_path_factory.mktemp('c')/'c32', size=32, limit=256, verbose=False).path

def test_cache_batches_cross_as_uint8_and_transform_on_the_gpu(cache):
    from lsun_gan.data import gan_dls
    dls = gan_dls(cache, size=32, bs=8, device='cuda', num_workers=0)
    raw = dls.train.create_batch(list(range(8)))[1]   # before the batch transforms
    assert (raw.device.type, raw.dtype) == ('cuda', torch.uint8)   # what crossed the bus: a quarter of float32's bytes
    noise, real = dls.one_batch()
    assert (real.device.type, real.dtype, noise.device.type) == ('cuda', torch.float32, 'cuda')
    assert -1.01 <= real.min() and real.max() <= 1.01

@pytest.mark.parametrize('arch', ['dcgan', 'wgan'])
@pytest.mark.parametrize('precision', ['bf16', 'fp16'])
def test_mixed_precision_on_the_gpu(arch, precision, cache, tmp_path):
    "Finite losses, float32 weights; fp16 keeps one loss scale per network"
    from lsun_gan.train import train, RunConfig
    learn = train(RunConfig(arch, cache, size=32, bs=32, epochs=2, precision=precision), tmp_path/'r', device='cuda',
                  num_workers=0, collapse=False)
    assert all(math.isfinite(l) for *_, l in learn.gan_losses.steps)
    assert next(learn.model.parameters()).dtype == torch.float32
    mp = learn.gan_mixed_precision
    assert set(mp.scalers) == {'gen', 'crit'} and mp.scalers['gen'] is not mp.scalers['crit']
    assert all(s.is_enabled() == (precision == 'fp16') for s in mp.scalers.values())

def test_channels_last_on_the_gpu(cache, tmp_path):
    from lsun_gan.train import train, RunConfig
    learn = train(RunConfig('dcgan', cache, size=32, bs=32, epochs=1, channels_last=True), tmp_path/'r', device='cuda',
                  num_workers=0, collapse=False)
    assert all(math.isfinite(l) for *_, l in learn.gan_losses.steps)
    assert (tmp_path/'r'/'samples'/'epoch_001.png').exists()

def test_sampling_a_sync_bn_generator_on_the_gpu():
    "A process group of one on CUDA: generate() never runs a SyncBatchNorm layer, and samples as the plain network"
    import copy, os, torch.distributed as dist
    from lsun_gan.models import DCGANGenerator
    from lsun_gan.learner import generate
    G = DCGANGenerator(32, ngf=8).cuda()
    S = nn.SyncBatchNorm.convert_sync_batchnorm(copy.deepcopy(G))
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT='29533')
    dist.init_process_group('nccl', rank=0, world_size=1)
    try:
        x = torch.randn(16, 100)
        torch.testing.assert_close(generate(S, x), generate(G, x))
    finally: dist.destroy_process_group()

def test_fid_callback_on_the_gpu(cache, tmp_path, monkeypatch):
    from lsun_gan.test_utils import write_random_fid_weights
    from lsun_gan.train import train, RunConfig
    write_random_fid_weights(tmp_path/'th'); monkeypatch.setenv('TORCH_HOME', str(tmp_path/'th'))
    train(RunConfig('dcgan', cache, size=32, bs=32, epochs=1), tmp_path/'r', device='cuda', num_workers=0, collapse=False,
          fid_every=1, fid_n=64)
    import csv
    row = next(csv.DictReader(open(tmp_path/'r'/'metrics.csv')))
    assert float(row['fid']) > 0 and row['fid_n'] == '64'

def test_pretrained_gan_on_the_gpu(cache, tmp_path):
    from lsun_gan.train import train, RunConfig
    learn = train(RunConfig('gan', cache, size=32, bs=16, epochs=1, backbone='resnet18', precision='bf16',
                            learner_kw=dict(max_crit=5)), tmp_path/'r', device='cuda', num_workers=0, collapse=False)
    assert all(math.isfinite(l) for *_, l in learn.gan_losses.steps) and learn.gan_losses.n['gen'] > 0
