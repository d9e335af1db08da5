"The package's modules form layers that only point down: no cycles, no upward imports, no imports hidden in functions."
import ast
from conftest import ROOT

# lowest first; a module may import only modules before it
LAYERS = ['launch', 'core', 'cache', 'data', 'crappify', 'models', 'distributed', 'learner', 'metrics', 'callbacks', 'train',
          'evaluation', 'experiment', 'docs', 'test_utils']

def lsun_imports(path):
    "(module imported, line, at module level?) for every lsun_gan import in `path`"
    tree = ast.parse(path.read_text())
    top = {id(n) for n in tree.body}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.level or (node.module or '').startswith('lsun_gan')):
            mod = (node.module or '').replace('lsun_gan.', '').lstrip('.')
            yield (mod or node.names[0].name), node.lineno, id(node) in top
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith('lsun_gan.'): yield a.name.split('.')[1], node.lineno, id(node) in top

def test_modules_are_layered():
    mods = sorted(p.stem for p in (ROOT/'lsun_gan').glob('*.py') if not p.stem.startswith('_'))
    assert set(mods) <= set(LAYERS), f"modules missing from LAYERS: {set(mods) - set(LAYERS)}"
    bad = []
    for m in mods:
        for dep, line, top in lsun_imports(ROOT/'lsun_gan'/f'{m}.py'):
            if dep not in LAYERS or LAYERS.index(dep) >= LAYERS.index(m):
                bad.append(f"{m}.py:{line} imports {dep} (upward)")
            if not top: bad.append(f"{m}.py:{line} imports {dep} inside a function")
    assert not bad, '\n'.join(bad)

def test_layer_check_catches_cycles(tmp_path):
    "The check itself fails on an upward import and on one inside a function"
    (tmp_path/'data.py').write_text("from .train import train\ndef f():\n    from lsun_gan.core import cli\n")
    found = list(lsun_imports(tmp_path/'data.py'))
    assert ('train', 1, True) in found and ('core', 3, False) in found

def fastai_before_core(path):
    "Line of the first fastai import in `path` when it comes before `lsun_gan.core` is imported, else None"
    for node in ast.parse(path.read_text()).body:
        mod = node.module or '' if isinstance(node, ast.ImportFrom) else ''
        names = [a.name for a in node.names] if isinstance(node, (ast.Import, ast.ImportFrom)) else []
        if isinstance(node, ast.ImportFrom) and (mod.lstrip('.') == 'core' and node.level or mod == 'lsun_gan.core'):
            return None
        if mod.startswith('fastai') or any(n.startswith('fastai') for n in names if isinstance(node, ast.Import)):
            return node.lineno

def test_core_imported_before_fastai():
    "Each module imports lsun_gan.core (which hides fastai's import-time torch.jit warning) before any fastai module"
    bad = [f"{p.name}:{line}" for p in sorted((ROOT/'lsun_gan').glob('*.py'))
           if p.stem not in ('core', '_modidx', '__init__') and (line := fastai_before_core(p))]
    assert not bad, f"fastai imported before lsun_gan.core: {bad}"

def test_core_check_catches_fastai_first(tmp_path):
    (tmp_path/'m.py').write_text("import torch\nfrom fastai.learner import Learner\nfrom .core import check\n")
    (tmp_path/'n.py').write_text("from .core import check\nfrom fastai.learner import Learner\n")
    assert fastai_before_core(tmp_path/'m.py') == 2 and fastai_before_core(tmp_path/'n.py') is None
