"""analyze's grid page (``report.html`` beside its CSVs), on real Sacred runs of the stand-in experiment,
opened in headless Chromium.
"""

from __future__ import annotations

import json
from pathlib import Path

import fake_training as fake  # tests/analysis is on pytest's pythonpath
import pandas as pd
from browser import dump_dom, embedded_pngs, png_size, require_chromium

from ilaeda.scripts.analyze import analysis_ex  # registers the analyze_imitation command


def test_grid_page(tmp_path: Path) -> None:
    runs = []
    for algo, seeds in (("gail", (0, 1)), ("bc", (0, 1))):
        cfg = tmp_path / "cfg" / f"{algo}_cyber_loo1.json"
        cfg.parent.mkdir(exist_ok=True)
        cfg.write_text(json.dumps({"split": "cyber_loo1"}))
        for seed in seeds:
            runs.append(
                fake.make_run(
                    tmp_path / "sacred" / f"g-{algo}-s{seed}",
                    algo,
                    cfg=cfg,
                    seed=seed,
                    logging={"log_root": str(tmp_path / "logs")},
                )
            )
    (runs[0] / "report.html").write_text("<html><body>session report</body></html>")  # one run has a report
    res_dir = tmp_path / "res"
    run = analysis_ex.run(
        command_name="analyze_imitation",
        options={"--capture": "sys"},
        config_updates={
            "source_dir_str": str(tmp_path / "sacred"),
            "csv_output_path": str(res_dir / "results.csv"),
            "plot_dir": str(res_dir / "plots"),
            "print_table": False,
            "bootstrap_reps": 50,
            "curve_keys": None,
            "reference_algo_map": {"advEDA_released_gail": ["*"]},
        },
    )
    page = res_dir / "report.html"
    assert run.result["report_html"] == str(page) and page.is_file()
    html = page.read_text()
    assert "http://" not in html and "https://" not in html and "<script" not in html
    plots = run.result["plots"]
    pngs = embedded_pngs(html)
    assert len(plots) >= 3 and len(pngs) == len(plots)  # every plot, embedded
    assert all(png_size(p) == png_size(Path(q).read_bytes()) for p, q in zip(pngs, plots))
    comparison = pd.read_csv(res_dir / "results_comparison.csv")
    assert comparison["significant"].notna().any()
    for text in (
        "Results per algorithm and split",
        "Against the reference",
        "Pairwise comparisons",
        "p_value",
        "significant",
        '<a href="results_aggregate.csv">',
    ):
        assert text in html
    link = Path("..") / runs[0].relative_to(tmp_path) / "report.html"
    assert f'<a href="{link}">session report</a>' in html
    assert html.count("session report</a>") == 1  # the other runs have no report to link
    dom = dump_dom(require_chromium(), page)
    assert dom.count("<table") == 4 and dom.count('<img class="picture"') == len(plots)
    assert "Traceback" not in dom


def test_links_are_percent_encoded_relative_file_paths(tmp_path: Path) -> None:
    from types import SimpleNamespace

    from ilaeda.report.grid import render_grid

    run_dir = tmp_path / "javascript:alert(document.domain)"
    run_dir.mkdir()
    (run_dir / "report.html").write_text("<html></html>")
    run = SimpleNamespace(path=run_dir, result={"benchmark": {}}, algo="gail", split="cyber_loo1", seed=0)
    csv = tmp_path / 'a"b?c#d.csv'
    html = render_grid({"aggregate_csv": str(csv)}, [], [run], tmp_path / "report.html")
    assert '<a href="javascript%3Aalert%28document.domain%29/report.html">session report</a>' in html
    assert '<a href="a%22b%3Fc%23d.csv">a&quot;b?c#d.csv</a>' in html
    assert 'href="javascript:' not in html
