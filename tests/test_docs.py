"README.md is generated from nbs/index.ipynb and must stay in step with it."
import os, warnings
from pathlib import Path
import pytest
from conftest import ROOT
from lsun_gan.test_utils import find_browser, visit, browse, blank, IMAGE_CHECK
from lsun_gan.docs import nb_markdown

def test_readme_in_step_with_index(tmp_path):
    "README.md and the images it shows (readme_files/) are what `lsun_gan_docs` makes from index.ipynb now"
    assert (ROOT/'README.md').read_text() == nb_markdown(ROOT/'nbs'/'index.ipynb', tmp_path/'readme_files'), \
        "README.md is out of date: run `lsun_gan_docs` and commit README.md"
    made = sorted(p.name for p in (tmp_path/'readme_files').iterdir())
    assert made and made == sorted(p.name for p in (ROOT/'readme_files').iterdir())
    for n in made: assert (tmp_path/'readme_files'/n).read_bytes() == (ROOT/'readme_files'/n).read_bytes(), n

def test_quarto_config_linked():
    q = ROOT/'nbs'/'_quarto.yml'
    assert q.is_symlink() and q.resolve() == (ROOT/'_quarto.yml').resolve()
    listed = [l.strip(' -[],') for l in (ROOT/'_quarto.yml').read_text().split() if l.strip(' -[],').endswith('.ipynb')]
    for nb in listed: assert (ROOT/'nbs'/nb).exists(), f"_quarto.yml lists {nb}, which does not exist"
    missing = sorted({p.name for p in (ROOT/'nbs').glob('*.ipynb') if not p.name.startswith('_')} - set(listed))
    assert not missing, f"notebooks missing from _quarto.yml's sidebar: {missing}"

def test_every_notebook_renders_and_docs_targets_exist(tmp_path):
    "The offline preview renders every notebook, and every symbol nbdev's index documents exists"
    import importlib
    from lsun_gan.docs import preview_docs
    from lsun_gan._modidx import d
    nbs = sorted((ROOT/'nbs').glob('*.ipynb'))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        pages = preview_docs(ROOT/'nbs', tmp_path)
    notes = [str(w.message).splitlines()[0] for w in caught]
    # a cell that fails where nbdev_docs runs it stops the site's build; nbdev warns of a cell it runs for its imports
    # that holds other code too (it may need what cells nbdev does not run define)
    assert not [n for n in notes if 'would stop' in n or 'imports and other code' in n], notes
    assert [p.stem for p in pages] == [nb.stem for nb in nbs] and all(p.stat().st_size > 1000 for p in pages)
    def resolve(name):
        parts = name.split('.')
        obj = importlib.import_module('.'.join(parts[:2]))
        for a in parts[2:]: obj = getattr(obj, a)
        return obj
    names = [n for mod in d['syms'].values() for n in mod]
    assert len(names) > 50
    for n in names: resolve(n)

@pytest.mark.skipif(find_browser() is None, reason="no Chromium here (apt-get install chromium): the browser test needs one")
def test_docs_preview_in_a_browser(tmp_path):
    "Every sidebar page is there and linked; in Chromium no page shows a `#|` directive, a hidden cell or a broken image"
    import yaml, re
    from lsun_gan.docs import preview_docs
    env = dict(os.environ)
    pages = {p.stem: p for p in preview_docs(ROOT/'nbs', tmp_path/'site')}
    assert dict(os.environ) == env   # the cells nbdev ran (06_metrics sets TORCH_HOME) leave no variable behind
    side = yaml.safe_load((ROOT/'_quarto.yml').read_text())['website']['sidebar']['contents']
    listed = [Path(o).stem for e in side for o in ([e] if isinstance(e, str) else e['contents'])]
    assert set(listed) <= set(pages)
    for stem, page in pages.items():
        html = page.read_text()
        assert all(f'href="{s}.html"' in html for s in listed), stem   # the sidebar, on every page
        (chk := tmp_path/f'{stem}_check.html').write_text(html.replace('</body>', IMAGE_CHECK + '</body>'))
        dom, console = visit(chk)
        assert console == [], (stem, console)   # no script error, every image shown
        text = re.sub(r'<[^>]+>', ' ', dom.replace(IMAGE_CHECK, ''))
        directive = re.search(r'^\s*#\|.*', text, re.M)   # a line that starts with one (09_docs quotes one in a string)
        assert not directive and '{target=' not in text, (stem, directive)
        assert 'nbdev.nbdev_export()' not in text and 'In&nbsp;[' not in text, stem   # no hidden cells, no prompts
    assert browse(pages['index'], tmp_path/'index.png') == [] and not blank(tmp_path/'index.png')   # drawn, not blank
    exp = pages['10_experiment'].read_text()
    assert 'make_report' in exp and 'neighbours' in exp and exp.count('data:image/') >= 3   # show_doc, figures (PNG or JPEG)
    assert 'test_fail(' not in pages['05_train'].read_text()   # `#| hide` test cells are dropped

def test_notebooks_stay_small():
    "Every notebook is at most 2 MB, so that the docs load quickly and the repository stays small (thumbnails, not PNGs)"
    big = {p.name: p.stat().st_size for p in (ROOT/'nbs').glob('*.ipynb') if p.stat().st_size > 2_000_000}
    assert not big, f"notebooks over 2 MB: {big}"
