"""The Bappeda report renders in both languages, is self-contained, and masks every NIK."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import duckdb
import pytest
from test_publish_handmade_marts import BUDI, KK_1, RUN_ID, ZERO_NIK, make_marts

from pipelines.i18n import set_language
from pipelines.publish.regions import load_regions
from pipelines.publish.report import ReportOptions, render_report


class _Links(HTMLParser):
    """Collect tag names and every src/href attribute of a page."""

    def __init__(self):
        super().__init__()
        self.tags: set[str] = set()
        self.references: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.references += [value or "" for name, value in attrs if name in ("src", "href")]


@pytest.fixture(scope="module")
def marts():
    con = duckdb.connect()
    make_marts(con)
    yield con
    con.close()


def _render(con, language, **options):
    set_language(language)
    try:
        return render_report(con, RUN_ID, load_regions(), ReportOptions(**options))
    finally:
        set_language("id")


@pytest.mark.parametrize("language", ["id", "en"])
def test_report_is_self_contained(marts, language):
    html = _render(marts, language)
    parser = _Links()
    parser.feed(html)

    assert not [r for r in parser.references if re.match(r"\s*(https?:)?//", r)]
    assert "http://" not in html
    assert "https://" not in html
    assert "script" not in parser.tags
    assert "link" not in parser.tags
    assert "img" not in parser.tags
    assert "@import" not in html
    assert "svg" in parser.tags
    assert "style" in parser.tags


@pytest.mark.parametrize("language", ["id", "en"])
def test_report_masks_every_nik(marts, language):
    html = _render(marts, language)

    assert not re.search(r"\d{16}", html)
    assert "3325********0004" in html
    assert BUDI not in html
    assert KK_1 not in html
    assert ZERO_NIK not in html


@pytest.mark.parametrize("language", ["id", "en"])
def test_report_shows_run_facts(marts, language):
    html = _render(marts, language)

    assert RUN_ID in html
    assert "2026.12-1" in html
    assert "2026-T4" in html
    assert "18 Nov 2026" in html
    assert "dtsen_batang_202611.csv" in html
    assert "WAGE_ABOVE_UMK" in html
    assert "no BPJS-TK wage extract" in html
    assert "totals_row" in html


def test_report_indonesian_text_and_numbers(marts):
    html = _render(marts, "id")

    assert '<html lang="id">' in html
    assert "Tingkat kesalahan inklusi" in html
    assert "Rupiah berisiko per tahun" in html
    assert "Rp 5.904.000" in html
    assert "Desil di atas batas program" in html
    assert "Inclusion error rate" not in html


def test_report_english_text_and_numbers(marts):
    html = _render(marts, "en")

    assert '<html lang="en">' in html
    assert "Inclusion error rate" in html
    assert "Rp 5,904,000" in html
    assert "Desil above the programme threshold" in html
    assert "Tingkat kesalahan inklusi" not in html


def test_report_totals_skip_rollup_rows(marts):
    html = _render(marts, "en")

    # Three desa-level rows with 1 recipient each; the ALL roll-up row must not be added.
    total_row = re.search(r'<tr class="total">(.*?)</tr>', html, re.S).group(1)
    assert ">3<" in total_row
    assert "100.0%" in total_row


def test_report_escapes_names(marts):
    marts.execute("update exclusion_errors set head_name = '<script>alert(1)</script>'")
    try:
        html = _render(marts, "en")
    finally:
        marts.execute("update exclusion_errors set head_name = 'SAINEM'")

    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_report_method_shows_config(marts):
    config = {
        "desil_threshold": {"PKH": 4, "BPNT": 5, "PBI": 5},
        "benefit_idr_per_month": {"PKH": 250000, "BPNT": 200000, "PBI": 42000},
    }

    html = _render(marts, "id", rules_config=config)

    assert "Desil tertinggi yang masih layak" in html
    assert "Rp 42.000" in html


RULES_CHANGED = {
    "id": "Berkas aturan berubah setelah run 20261101T080000Z tanpa versi baru, sehingga versi "
          "konfigurasi 2026.12-1 menunjuk dua set aturan yang berbeda.",
    "en": "The rules file changed after run 20261101T080000Z without a new version, so config "
          "version 2026.12-1 names two different sets of rules.",
}


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("changed", [True, False, None])
def test_report_notes_unversioned_rules_change(language, changed):
    con = duckdb.connect()
    make_marts(con)
    con.execute("alter table runs add column rules_compared_with_run_id varchar "
                "default '20261101T080000Z'")
    con.execute("alter table runs add column rules_changed_without_new_version boolean")
    con.execute("update runs set rules_changed_without_new_version = ?", [changed])

    html = _render(con, language)

    method = html[html.index('<section id="method">'):html.index("<footer>")]
    if changed:
        assert f'<p class="note bad">{RULES_CHANGED[language]}</p>' in method
    else:
        assert RULES_CHANGED[language] not in html
        assert "20261101T080000Z" not in html


def test_report_without_rules_comparison_columns(marts):
    html = _render(marts, "en")

    assert "The rules file changed" not in html


def test_report_renders_empty_marts():
    con = duckdb.connect()
    make_marts(con)
    for table in (
        "fct_findings",
        "inclusion_errors",
        "exclusion_errors",
        "summary_rates",
        "complaint_results",
        "rule_status",
        "findings_diff",
        "quarantine",
    ):
        con.execute(f"delete from {table}")

    html = _render(con, "id")

    assert "Tidak ada kandidat kesalahan eksklusi." in html
    assert "Belum ada run sebelumnya untuk dibandingkan." in html
    assert "Tidak ada baris yang dikarantina." in html
    assert "<svg" in html


def test_report_shows_input_checksum(marts):
    html = _render(marts, "en")

    assert "sha256:ab" in html


@pytest.mark.parametrize(
    ("language", "register", "pkh"),
    [("id", "Register DTSEN (atau DTKS)", "Daftar KPM PKH"),
     ("en", "DTSEN (or DTKS) register", "PKH roster")],
)
def test_report_reconciliation_names_sources(marts, language, register, pkh):
    html = _render(marts, language)

    section = html[html.index('<section id="data">'):html.index('<section id="method">')]
    assert f"<td>{register}</td><td>dtsen_batang_202611.csv</td>" in section
    assert f"<td>{pkh}</td><td>pkh_tahap4_2026.xlsx</td>" in section
    assert "<td>register</td>" not in section
    assert "<td>pkh</td>" not in section


def test_report_warns_on_unrecorded_run(marts, caplog):
    set_language("en")
    try:
        html = render_report(marts, "run-not-recorded", load_regions())
    finally:
        set_language("id")

    assert "run-not-recorded is not in the runs table" in caplog.text
    assert "run-not-recorded" in html


def test_report_counts_unknown_desa_rows():
    con = duckdb.connect()
    make_marts(con)
    con.execute("insert into summary_rates values ('PBI', null, null, 5, 1, 0.2, 0, 42000, 504000)")

    html = _render(con, "en")

    total_row = re.search(r'<tr class="total">(.*?)</tr>', html, re.S).group(1)
    assert ">8<" in total_row
    assert ">4<" in total_row


def test_report_masks_nik_in_free_text(marts):
    marts.execute(
        "update exclusion_errors "
        "set reason = 'KK sama dengan NIK 3325010505600004 (lihat 3325010303070003)'"
    )
    try:
        html = _render(marts, "en")
    finally:
        marts.execute("update exclusion_errors set reason = 'Desil 1, padan Dukcapil'")

    assert "KK sama dengan NIK 3325********0004 (lihat 3325********0003)" in html
    assert not re.search(r"\d{16}", html)


@pytest.mark.parametrize(
    ("language", "notice"),
    [("id", "Tidak dievaluasi pada run ini karena ada masukan yang tidak tersedia: WAGE_ABOVE_UMK."),
     ("en", "Not evaluated in this run, because an input they need is missing: WAGE_ABOVE_UMK.")],
)
def test_report_marks_rules_not_evaluated(marts, language, notice):
    html = _render(marts, language)

    summary = html[html.index('<section id="summary">'):html.index('<section id="programmes">')]
    assert notice in summary
    rules = html[html.index('<section id="rules">'):html.index('<section id="exclusion">')]
    row = rules[rules.index('<td class="code">WAGE_ABOVE_UMK</td>'):]
    row = row[:row.index("</tr>")]
    assert '<td class="num">–</td>' in row
    assert '<td class="num">0</td>' not in row


def test_rules_chart_leaves_out_info_rules(marts):
    html = _render(marts, "en")

    rules = html[html.index('<section id="rules">'):html.index('<section id="exclusion">')]
    chart = rules[rules.index("<svg"):rules.index("</svg>")]
    assert "Findings per rule, without the rules that only inform" in chart
    assert "DESIL_OUT_OF_RANGE" in chart
    assert "DEFAULT_DOB" not in chart
    assert '<td class="code">DEFAULT_DOB</td>' in rules


LIMITATION_ID = (
    "tanpa data kematian (stg_deaths), anggota keluarga yang sudah meninggal dihitung masih hidup"
)


@pytest.fixture
def limited_marts():
    con = duckdb.connect()
    make_marts(con)
    con.execute(
        "create or replace table rule_status as select * from (values "
        "('DESIL_OUT_OF_RANGE', 'evaluated', true, null, null, null, 2), "
        f"('PKH_NO_COMPONENT', 'evaluated_with_limitation', true, null, '{LIMITATION_ID}', "
        "'stg_deaths', 0), "
        "('DECEASED_RECIPIENT', 'not_evaluated', false, "
        "'tidak ada data kematian di run ini (stg_deaths)', null, 'stg_deaths', null)"
        ") as t(rule_code, status, is_evaluated, not_evaluated_reason, limitation_reason, "
        "missing_inputs, findings)"
    )
    yield con
    con.close()


@pytest.mark.parametrize(
    ("language", "notice", "status"),
    [("id", "Dievaluasi dengan keterbatasan pada run ini karena ada masukan yang dibacanya",
      "dievaluasi dengan keterbatasan: "),
     ("en", "Evaluated with a limitation in this run, because an input they read is missing.",
      "evaluated with a limitation: ")],
)
def test_report_marks_limited_rules(limited_marts, language, notice, status):
    html = _render(limited_marts, language)

    summary = html[html.index('<section id="summary">'):html.index('<section id="programmes">')]
    assert notice in summary
    assert f"PKH_NO_COMPONENT: {LIMITATION_ID}" in summary
    assert "DECEASED_RECIPIENT" in summary
    rules = html[html.index('<section id="rules">'):html.index('<section id="exclusion">')]
    row = rules[rules.index('<td class="code">PKH_NO_COMPONENT</td>') - 30:]
    row = row[:row.index("</tr>")]
    assert '<tr class="limited">' in row
    assert '<td class="num">0</td>' in row
    assert f"{status}{LIMITATION_ID}" in row


def test_report_without_limited_rules_has_no_notice(marts):
    html = _render(marts, "en")

    assert "Evaluated with a limitation" not in html
    assert 'class="limited"' not in html


@pytest.mark.parametrize(
    ("language", "blank", "totals"),
    [("id", "Baris kosong", "Baris jumlah (JUMLAH/TOTAL) tanpa NIK"),
     ("en", "Blank row", "Totals row (JUMLAH/TOTAL) without a NIK")],
)
def test_report_quarantine_reasons_translated(marts, language, blank, totals):
    html = _render(marts, language)

    section = html[html.index('<section id="data">'):html.index('<section id="method">')]
    assert f'<td title="blank_row">{blank}</td>' in section
    assert f'<td title="totals_row">{totals}</td>' in section
    assert ">blank_row<" not in section
    assert ">totals_row<" not in section


@pytest.fixture
def joined_marts():
    con = duckdb.connect()
    make_marts(con)
    con.execute(
        "create or replace table file_reconciliation as select * from (values "
        f"('{RUN_ID}', 'asn', 'asn_tni_polri_2026.csv', '', 21, 20, 1, 3), "
        f"('{RUN_ID}', 'register', 'dtsen_batang_202611.csv', '', 6, 5, 1, 0)"
        ") as t(run_id, source_kind, source_file, source_sheet, rows_read, rows_loaded, "
        "rows_quarantined, lines_joined)"
    )
    con.execute(
        f"insert into quarantine values ('{RUN_ID}', 'asn', 'asn_tni_polri_2026.csv', '', 4, "
        "'joined_lines', '', '{}')"
    )
    yield con
    con.close()


@pytest.mark.parametrize(
    ("language", "note", "header", "reason"),
    [("id", "Tanda kutip ganda yang tersasar menggabungkan 3 baris teks lain dari berkas CSV",
      "Baris teks tergabung", "Beberapa baris teks tergabung karena tanda kutip ganda"),
     ("en", "A stray double quote joined 3 more lines of a CSV file into quarantined rows",
      "Joined lines", "Several lines joined by a stray double quote")],
)
def test_report_shows_joined_lines(joined_marts, language, note, header, reason):
    html = _render(joined_marts, language)

    section = html[html.index('<section id="data">'):html.index('<section id="method">')]
    assert note in section
    assert f'<th class="num">{header}</th>' in section
    row = section[section.index("asn_tni_polri_2026.csv"):]
    row = row[:row.index("</tr>")]
    assert re.findall(r'<td class="num">([^<]*)</td>', row) == ["21", "20", "1", "3"]
    assert reason in section


def test_report_without_joined_lines_has_no_column(marts):
    html = _render(marts, "en")

    assert "Joined lines" not in html
    assert "stray double quote joined" not in html


def test_every_quarantine_reason_has_title():
    import inspect

    from pipelines.ingest import load, readers
    from pipelines.publish.rule_texts import QUARANTINE_REASON_TITLES

    classified = set(re.findall(r"then '([a-z_]+)'", inspect.getsource(load._reason_sql)))
    codes = classified | {readers.UNPARSEABLE_ROW, readers.FORMULA_WITHOUT_VALUE}

    assert "totals_row" in classified
    assert sorted(codes - QUARANTINE_REASON_TITLES.keys()) == []


@pytest.mark.parametrize(
    ("language", "note"),
    [("id", "Baris jumlah dan ringkasan menghitung setiap keluarga sekali."),
     ("en", "The total row and the summary count each family once.")],
)
def test_exclusion_total_counts_families_once(language, note):
    con = duckdb.connect()
    make_marts(con)
    # One family lacks a second programme, so it counts twice by programme and once in total.
    con.execute(
        "insert into exclusion_errors select * replace ('PBI' as programme) "
        "from exclusion_errors limit 1"
    )
    con.execute(
        "update summary_rates set exclusion_candidates = 1 "
        "where programme = 'PBI' and desa_code = '3325022001'"
    )
    html = _render(con, language)
    con.close()

    summary = html[html.index('<section id="summary">'):html.index('<section id="programmes">')]
    programmes = html[html.index('<section id="programmes">'):html.index('<section id="kecamatan">')]
    card = re.search(r'\(\w+\)</div><div class="value">([^<]+)</div>', summary).group(1)
    total = programmes[programmes.index('<tr class="total">'):]
    total = total[:total.index("</tr>")]
    assert re.findall(r'<td class="num">([^<]*)</td>', total)[-1] == card
    assert note in programmes


NOT_RECHECKED = {
    "id": ("<td>Tidak diperiksa ulang di run ini</td><td class=\"num\">2</td>",
           "<td>Hilang sejak run sebelumnya</td><td class=\"num\">1</td>",
           "Tidak diperiksa ulang: temuan run sebelumnya yang tidak dapat diperiksa lagi"),
    "en": ("<td>Not re-checked in this run</td><td class=\"num\">2</td>",
           "<td>Gone since the previous run</td><td class=\"num\">1</td>",
           "Not re-checked: findings of the previous run that this run could not check again"),
}


@pytest.mark.parametrize("language", ["id", "en"])
def test_report_separates_not_rechecked(language):
    con = duckdb.connect()
    make_marts(con)
    con.execute(
        "create or replace table findings_diff as select * from (values "
        "('f1', 'DESIL_OUT_OF_RANGE', 'resolved', 'r0'), "
        "('f2', 'PBI_NOT_ELIGIBLE', 'not_rechecked', 'r0'), "
        "('f3', 'DEFAULT_DOB', 'not_rechecked', 'r0'), "
        "('f4', 'DEFAULT_DOB', 'persisting', 'r0')"
        ") as t(finding_id, rule_code, diff_status, previous_run_id)"
    )

    html = _render(con, language)

    changes = html[html.index('<section id="changes">'):html.index("</section>",
                   html.index('<section id="changes">'))]
    not_rechecked, resolved, note = NOT_RECHECKED[language]
    assert not_rechecked in changes
    assert resolved in changes
    assert note in changes


def test_report_without_not_rechecked_has_no_note(marts):
    html = _render(marts, "en")

    assert "Not re-checked" not in html
    assert "First checked" not in html


FIRST_CHECKED = {
    "id": ("<td>Pertama kali diperiksa di run ini</td><td class=\"num\">2</td>",
           "<td>Baru sejak run sebelumnya</td><td class=\"num\">1</td>",
           "Pertama kali diperiksa: temuan run ini yang tidak mungkin ditemukan oleh run "
           "sebelumnya"),
    "en": ("<td>First checked in this run</td><td class=\"num\">2</td>",
           "<td>New since the previous run</td><td class=\"num\">1</td>",
           "First checked: findings of this run that the previous run could not have found"),
}


@pytest.mark.parametrize("language", ["id", "en"])
def test_report_separates_first_checked(language):
    con = duckdb.connect()
    make_marts(con)
    con.execute(
        "create or replace table findings_diff as select * from (values "
        "('f1', 'DESIL_OUT_OF_RANGE', 'new', null), "
        "('f2', 'PBI_NOT_ELIGIBLE', 'first_checked', null), "
        "('f3', 'PBI_DOUBLE_COVERAGE', 'first_checked', null), "
        "('f4', 'DEFAULT_DOB', 'persisting', 'r0')"
        ") as t(finding_id, rule_code, diff_status, previous_run_id)"
    )

    html = _render(con, language)

    changes = html[html.index('<section id="changes">'):html.index("</section>",
                   html.index('<section id="changes">'))]
    first_checked, new, note = FIRST_CHECKED[language]
    assert first_checked in changes
    assert new in changes
    assert note in changes
    assert NOT_RECHECKED[language][2] not in changes


RESOLVED_WITH_INPUT = {
    "id": ("<td>Hilang setelah aturannya mendapat masukan</td><td class=\"num\">1</td>",
           "Hilang setelah aturannya mendapat masukan: temuan run sebelumnya"),
    "en": ("<td>Gone now that its rule has the input</td><td class=\"num\">1</td>",
           "Gone now that its rule has the input: findings of the previous run"),
}
NEW_WITH_LIMITATION = {
    "id": ("<td>Baru, tetapi aturannya kekurangan masukan</td><td class=\"num\">1</td>",
           "Baru, tetapi aturannya kekurangan masukan: temuan run ini"),
    "en": ("<td>New, but its rule lacked an input</td><td class=\"num\">1</td>",
           "New, but its rule lacked an input: findings of this run"),
}


@pytest.mark.parametrize("language", ["id", "en"])
def test_report_separates_new_with_limitation(language):
    con = duckdb.connect()
    make_marts(con)
    con.execute(
        "create or replace table findings_diff as select * from (values "
        "('f1', 'EXCLUSION_ERROR_CANDIDATE', 'new_with_limitation', null), "
        "('f2', 'DEFAULT_DOB', 'persisting', 'r0'), "
        "('f3', 'EXCLUSION_ERROR_CANDIDATE', 'resolved_with_input', 'r0')"
        ") as t(finding_id, rule_code, diff_status, previous_run_id)"
    )

    html = _render(con, language)

    row, note = NEW_WITH_LIMITATION[language]
    assert row in html
    assert note in html
    gone_row, gone_note = RESOLVED_WITH_INPUT[language]
    assert gone_row in html
    assert gone_note in html
    assert FIRST_CHECKED[language][2] not in html


@pytest.mark.parametrize(
    ("language", "not_audited"),
    [("id", "Tidak diaudit: run ini tanpa daftar peserta program ini"),
     ("en", "Not audited: this run had no roster of this programme")],
)
def test_report_marks_programme_without_roster(language, not_audited):
    con = duckdb.connect()
    make_marts(con)
    # The run read the register, PKH and BPNT files; PBI had no file and so no rates.
    con.execute("delete from summary_rates where programme = 'PBI'")
    con.execute(
        "insert into file_reconciliation values "
        f"('{RUN_ID}', 'bpnt', 'bpnt_bnba_tahap4_2026.csv', '', 1, 1, 0)"
    )

    html = _render(con, language)
    section = html[html.index('id="programmes"'):html.index('id="kecamatan"')]

    assert section.count(not_audited) == 1
    assert re.search(r"<td>PBI</td><td colspan=\"6\">" + not_audited, section)
    assert "<td>BPNT</td><td colspan" not in section
    # The subtitle names the programmes that the run audited.
    assert "&middot; PKH, BPNT/Sembako</p>" in html


def test_report_with_rates_for_all_marks_nothing(marts):
    html = _render(marts, "en")

    assert "Not audited" not in html
    assert "&middot; PKH, BPNT/Sembako, PBI JKN</p>" in html


PREVIOUS_RULES = {
    "id": ("Run sebelumnya r0 memakai aturan versi 2026.11-1, sedangkan run ini memakai versi "
           "2026.12-1.",
           "Berkas aturan berubah sejak run sebelumnya r0, padahal versinya masih 2026.12-1."),
    "en": ("The previous run r0 used rules version 2026.11-1, and this run uses 2026.12-1.",
           "The rules file changed since the previous run r0, although its version is still "
           "2026.12-1."),
}


def _marts_after_run(previous_version: str, previous_checksum: str):
    """Marts whose findings_diff compares with run r0, which used the given rules."""
    con = duckdb.connect()
    make_marts(con)
    con.execute("alter table runs add column rules_checksum varchar")
    con.execute("update runs set rules_checksum = 'sha256:new'")
    con.execute(
        "insert into runs (run_id, config_version, rules_checksum) values ('r0', ?, ?)",
        [previous_version, previous_checksum],
    )
    con.execute(
        "create or replace table findings_diff as select * from (values "
        "('f1', 'DESIL_OUT_OF_RANGE', 'resolved', 'r0'), "
        "('f4', 'DEFAULT_DOB', 'persisting', 'r0')"
        ") as t(finding_id, rule_code, diff_status, previous_run_id)"
    )
    return con


def _changes(html: str) -> str:
    start = html.index('<section id="changes">')
    return html[start:html.index("</section>", start)]


@pytest.mark.parametrize("language", ["id", "en"])
def test_report_names_previous_rules_version(language):
    changes = _changes(_render(_marts_after_run("2026.11-1", "sha256:old"), language))

    assert PREVIOUS_RULES[language][0] in changes
    assert PREVIOUS_RULES[language][1] not in changes


@pytest.mark.parametrize("language", ["id", "en"])
def test_report_notes_rules_file_changed(language):
    changes = _changes(_render(_marts_after_run("2026.12-1", "sha256:old"), language))

    assert PREVIOUS_RULES[language][1] in changes
    assert PREVIOUS_RULES[language][0] not in changes


def test_report_same_rules_has_no_note():
    changes = _changes(_render(_marts_after_run("2026.12-1", "sha256:new"), "en"))

    assert "Compare the two rules files" not in changes


@pytest.mark.parametrize(
    ("language", "definition"),
    [("id", "Kandidat kesalahan eksklusi adalah keluarga layak yang tidak menerima suatu program "
            "yang menjadi haknya, dan keluarga itu dihitung pada setiap program tersebut."),
     ("en", "An exclusion error candidate is an eligible family that does not receive a "
            "programme it qualifies for, and it counts under each such programme.")],
)
def test_report_defines_exclusion_per_programme(marts, language, definition):
    assert definition in _render(marts, language)


def test_rule_programmes_in_report_order():
    con = duckdb.connect()
    make_marts(con)
    con.execute(
        "insert into fct_findings (finding_id, rule_code, severity, programme) values "
        "('x1', 'NIK_FORMAT', 'ERROR', 'ALL'), ('x2', 'NIK_FORMAT', 'ERROR', 'PBI'), "
        "('x3', 'NIK_FORMAT', 'ERROR', 'BPNT'), ('x4', 'NIK_FORMAT', 'ERROR', 'PKH')"
    )

    html = _render(con, "en")

    row = html[html.index('<td class="code">NIK_FORMAT</td>'):]
    row = row[:row.index("</tr>")]
    assert "<td>PKH: 1; BPNT: 1; PBI: 1; no single programme: 1</td>" in row


def test_exclusion_programmes_in_report_order():
    con = duckdb.connect()
    make_marts(con)
    for programme in ("PBI", "BPNT", "PKH"):
        con.execute(
            "insert into exclusion_errors select * replace (? as programme) "
            "from exclusion_errors limit 1",
            [programme],
        )

    html = _render(con, "en")

    section = html[html.index('<section id="exclusion">'):]
    rows = re.findall(r"<tr><td>(PKH|BPNT|PBI)</td>", section[:section.index("</table>")])
    assert rows == ["PKH", "BPNT", "PBI"]


def test_exclusion_sample_family_in_report_order():
    con = duckdb.connect()
    make_marts(con)
    con.execute("create temp table family_row as select * from exclusion_errors limit 1")
    con.execute("delete from exclusion_errors")
    for programme in ("BPNT", "PBI", "PKH"):
        con.execute(
            "insert into exclusion_errors select * replace (? as programme) from family_row",
            [programme],
        )

    html = _render(con, "en")

    section = html[html.index('<section id="exclusion">'):]
    sample = section[section.index("<h3>First"):]
    sample = sample[:sample.index("</table>")]
    programmes = re.findall(r'<td class="num">[^<]*</td><td>(PKH|BPNT|PBI)</td>', sample)
    assert programmes == ["PKH", "BPNT", "PBI"]
