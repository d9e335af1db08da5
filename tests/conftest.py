import os, sys, time, threading, importlib, subprocess
from pathlib import Path
import pytest
from lsun_gan.launch import COMMANDS, parse_args, signature_stub

ROOT = Path(__file__).resolve().parents[1]

def cli(name):
    "Path of an installed console script of this environment"
    return str(Path(sys.executable).with_name(name))

def bounded(f, within:float, what:str):
    "`f()`'s result, in a thread that must end within `within` seconds (else the test fails: a hang)"
    box = {}
    def go():
        try: box['res'] = f()
        except BaseException as e: box['exc'] = e
    th = threading.Thread(target=go, daemon=True); th.start(); th.join(within)
    assert not th.is_alive(), f"{what} still running after {within}s (a hang)"
    if 'exc' in box: raise box['exc']
    return box['res']

def run_cli(prog:str, *args, capsys=None, within:float=60.) -> tuple:
    "(exit code, stderr) of `prog args` run as `launch.main` runs it; fails if it takes more than `within` seconds"
    argv = [str(a) for a in args]
    def go():
        try: getattr(importlib.import_module(f'lsun_gan.{COMMANDS[prog]}'), prog)(
                 **parse_args(signature_stub(COMMANDS[prog], prog), argv))
        except SystemExit as e: return e.code or 0
        return 0
    code = bounded(go, within, f"{prog} {' '.join(argv)}")
    assert not children(), f"{prog} {' '.join(argv)} left processes behind: {children()}"
    return code, capsys.readouterr().err if capsys else ''

def in_process(prog:str, *args, capsys, within:float=300.) -> subprocess.CompletedProcess:
    "`prog args` run in this process as `launch.main` runs it, as a `CompletedProcess` (return code, stdout, stderr)"
    capsys.readouterr()   # what the test printed before is not the command's
    code, _ = run_cli(prog, *args, within=within)
    out = capsys.readouterr()
    return subprocess.CompletedProcess([prog, *map(str, args)], code, out.out, out.err)

def children() -> list:
    "Pids of this process's children still running (Linux), after a moment for exiting workers to be reaped"
    def kids():
        out = []
        for p in Path('/proc').glob('[0-9]*'):
            try: stat = (p/'stat').read_text()
            except OSError: continue
            if int(stat.rsplit(')', 1)[1].split()[1]) == os.getpid(): out.append(int(p.name))
        return out
    for _ in range(50):
        if not (k := kids()): return k
        time.sleep(0.1)
    return kids()

def one_line(err:str, *words):
    "The error output is one line naming each of `words`, without a traceback"
    lines = [l for l in err.splitlines() if l.strip()]
    assert len(lines) == 1 and 'Traceback' not in err, err[-2000:]
    for w in words: assert str(w) in lines[0], (w, lines[0])

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
