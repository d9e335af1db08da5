import sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]

def cli(name):
    "Path of an installed console script of this environment"
    return str(Path(sys.executable).with_name(name))

@pytest.fixture
def sample():
    from lsun_gan.cache import sample_path
    p = sample_path(ROOT)
    if p is None: pytest.skip("no LSUN sample: set LSUN_GAN_SAMPLE or put it in ../shared/data/lsun_bedroom_sample")
    return p

def pytest_configure(config):
    "pytest resets warning filters around each test: apply lsun_gan's list of fastai import-time warnings as its own"
    config.addinivalue_line('markers', "long: a test of minutes (resume after kill -9, DDP, 256 px): "
                                       "`pytest -m long` runs them, `pytest -m 'not long'` the rest")
    from lsun_gan.core import FASTAI_IMPORT_WARNINGS
    for msg, cat in FASTAI_IMPORT_WARNINGS: config.addinivalue_line('filterwarnings', f'ignore:{msg}:{cat.__name__}')
