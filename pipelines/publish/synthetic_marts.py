"""Synthetic mart and desk tables in the shape of docs/tables.md, for tests and benchmarks.

The tables are made up from hashes of row numbers (no real person), over the real Batang
region table, at any size: a few hundred rows for tests, about 860,000 register rows for the
desk benchmark. Findings follow simple made-up patterns (desil above a threshold, a few
deceased recipients); they exercise the publish code and are no audit result.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import duckdb

from pipelines.publish.regions import Regions
from pipelines.sqlrun import run_sql

logger = logging.getLogger(__name__)

FIRST_NAMES = (
    "SITI",
    "SRI",
    "MUHAMMAD",
    "AHMAD",
    "NUR",
    "DWI",
    "EKO",
    "TRI",
    "SUTRISNO",
    "SLAMET",
    "KASTARI",
    "SAINEM",
    "SUPARDI",
    "ROMLAH",
    "JUMINAH",
    "SUJONO",
    "CAHYONO",
    "YANTI",
    "FAIZIN",
    "AMINAH",
    "WATI",
    "RINI",
    "BUDI",
    "AGUS",
    "ENDANG",
    "SUMARNI",
    "TARMIJI",
    "KHOTIJAH",
)
LAST_NAMES = (
    "",
    "",
    "AMINAH",
    "RAHAYU",
    "WIBOWO",
    "SETIAWAN",
    "LESTARI",
    "HIDAYAT",
    "NINGSIH",
    "SANTOSO",
    "PURNOMO",
    "UTOMO",
    "HANDAYANI",
    "KURNIAWAN",
    "SAPUTRA",
    "MULYANI",
)


@dataclass(frozen=True)
class SyntheticSize:
    """Families per desa and the run id written into every table."""

    families_per_desa: int = 6
    run_id: str = "run-synthetic"
    config_version: str = "2026.12-1"


def build_synthetic_marts(
    con: duckdb.DuckDBPyConnection, regions: Regions, size: SyntheticSize = SyntheticSize()
) -> None:
    """Create every table publish_marts reads in `con` (replacing existing ones)."""
    _create_desa(con, regions)
    _create_register(con, size)
    _create_recipients(con)
    _create_person_tables(con)
    _create_findings(con, size)
    _create_marts(con)
    _create_run_tables(con, size)
    logger.info("built synthetic marts with %d families per desa", size.families_per_desa)


def _create_desa(con: duckdb.DuckDBPyConnection, regions: Regions) -> None:
    run_sql(
        con,
        "create or replace table __syn_desa "
        "(desa_index integer, desa_code varchar, kecamatan_code varchar)",
    )
    rows = [(i, code, code[:6]) for i, code in enumerate(sorted(regions.desa))]
    con.executemany("insert into __syn_desa values (?, ?, ?)", rows)


def _create_register(con: duckdb.DuckDBPyConnection, size: SyntheticSize) -> None:
    first = "[" + ", ".join(f"'{n}'" for n in FIRST_NAMES) + "]"
    last = "[" + ", ".join(f"'{n}'" for n in LAST_NAMES) + "]"
    sql = f"""
with
families as (
    select
        f as family_index,
        d.desa_code,
        d.kecamatan_code,
        1 + (hash(f, 'size') % 5)::integer as members,
        case when hash(f, 'poor') % 100 < 55 then 1 + (hash(f, 'desil') % 4)::integer
             when hash(f, 'none') % 100 < 3 then null
             else 1 + (hash(f, 'desil') % 10)::integer end as desil
    from range({size.families_per_desa} * (select count(*) from __syn_desa)) as t(f)
    join __syn_desa as d on d.desa_index = f % (select count(*) from __syn_desa)
),
people as (
    select
        families.*,
        m as member_index,
        family_index * 8 + m as person_index,
        case when m < 2 then date '1945-01-01' else date '1975-01-01' end
            + (hash(family_index, m, 'dob') % 18000)::integer as birth_date,
        case when m = 1 then 'P' when m = 0 then 'L'
             when hash(family_index, m, 'sex') % 2 = 0 then 'L' else 'P' end as sex,
        {first}[1 + (hash(family_index, m, 'fn') % {len(FIRST_NAMES)})::integer] as first_name,
        {last}[1 + (hash(family_index, m, 'ln') % {len(LAST_NAMES)})::integer] as last_name
    from families, unnest(range(members)) as u(m)
),
final as (
    select
        'register:1::' || (person_index + 2) as record_id,
        'register' as source_kind,
        'dtsen_batang_202611.csv' as source_file,
        '' as source_sheet,
        person_index + 2 as source_row,
        kecamatan_code
            || lpad((day(birth_date) + case when sex = 'P' then 40 else 0 end)::varchar, 2, '0')
            || strftime(birth_date, '%m%y')
            || lpad(((person_index % 9999) + 1)::varchar, 4, '0') as nik,
        'valid' as nik_status,
        kecamatan_code
            || strftime(date '2005-01-01' + (hash(family_index, 'kk') % 7000)::integer, '%d%m%y')
            || lpad(((family_index % 9999) + 1)::varchar, 4, '0') as no_kk,
        trim(first_name || ' ' || last_name) as name,
        birth_date,
        sex,
        kecamatan_code,
        desa_code,
        'ok' as wilayah_status,
        'DUSUN ' || (1 + family_index % 4) as address,
        lpad((1 + family_index % 9)::varchar, 3, '0') as rt,
        lpad((1 + family_index % 3)::varchar, 3, '0') as rw,
        'F' || lpad(family_index::varchar, 8, '0') as family_id,
        'I' || lpad(person_index::varchar, 9, '0') as register_person_id,
        desil,
        case when desil is null then '' else 'Desil ' || desil end as desil_raw,
        case member_index when 0 then 'KEPALA KELUARGA' when 1 then 'ISTRI'
            else 'ANAK' end as relationship,
        hash(person_index, 'padan') % 100 >= 2 as is_padan_dukcapil,
        true as is_register_active,
        date '2026-11-18' as snapshot_date,
        'P' || lpad(person_index::varchar, 9, '0') as person_id
    from people
)
select * from final
"""
    run_sql(con, sql, "__syn_people")
    run_sql(con, "select * exclude (person_id) from __syn_people", "stg_register")


def _create_recipients(con: duckdb.DuckDBPyConnection) -> None:
    """Pick PKH and BPNT families (by their head) and PBI members, about 12, 20 and 25 %."""
    sql = """
with
heads as (select * from __syn_people where relationship = 'KEPALA KELUARGA'),
pkh as (
    select 'PKH' as programme, 'pkh' as source_kind, * from heads
    where hash(family_id, 'pkh') % 100 < case when desil <= 4 then 30 else 5 end
),
bpnt as (
    select 'BPNT' as programme, 'bpnt' as source_kind, * from heads
    where hash(family_id, 'bpnt') % 100 < case when desil <= 5 then 45 else 8 end
),
pbi as (
    select 'PBI' as programme, 'pbi' as source_kind, * from __syn_people
    where hash(person_id, 'pbi') % 100 < case when desil <= 5 then 50 else 10 end
),
final as (select * from pkh union all select * from bpnt union all select * from pbi)
select * from final
"""
    run_sql(con, sql, "__syn_recipients")


def _create_person_tables(con: duckdb.DuckDBPyConnection) -> None:
    roster_records = """
select
    source_kind || ':1:' || case source_kind when 'pkh' then 'Kec. X' else '' end || ':'
        || (row_number() over (partition by source_kind order by person_id) + 1) as record_id,
    source_kind,
    case source_kind when 'pkh' then 'pkh_tahap4_2026.xlsx'
        when 'bpnt' then 'bpnt_bnba_tahap4_2026.csv'
        else 'pbi_jkn_202611.xlsx' end as source_file,
    case source_kind when 'pkh' then 'Kec. X' when 'pbi' then 'PBI' else '' end as source_sheet,
    row_number() over (partition by source_kind order by person_id) + 1 as source_row,
    nik, nik_status, no_kk, name, birth_date, sex, kecamatan_code, desa_code, person_id, family_id,
    programme
from __syn_recipients
"""
    run_sql(con, roster_records, "__syn_roster_records")
    run_sql(
        con,
        """
select record_id, source_kind, nik, nik_status, no_kk, name, birth_date, sex, desa_code,
       kecamatan_code
from __syn_people
union all
select record_id, source_kind, nik, nik_status, no_kk, name, birth_date, sex, desa_code,
       kecamatan_code
from __syn_roster_records
""",
        "int_person_records",
    )
    run_sql(
        con,
        """
select record_id, person_id, 1 as cluster_size from __syn_people
union all
select record_id, person_id, 2 as cluster_size from __syn_roster_records
""",
        "int_person_links",
    )
    run_sql(
        con,
        "select person_id, family_id, no_kk, relationship from __syn_people",
        "int_families",
    )


def _create_findings(con: duckdb.DuckDBPyConnection, size: SyntheticSize) -> None:
    sql = f"""
with
recipients as (
    select r.*, rr.record_id, rr.source_file, rr.source_sheet, rr.source_row
    from __syn_recipients as r
    join __syn_roster_records as rr using (person_id, programme)
),
desil_hits as (
    select *, 'DESIL_OUT_OF_RANGE' as rule_code,
        case when desil is null then 'WARN' else 'FLAG' end as severity,
        case when desil is null then 'The register has no desil for this recipient'
             else 'DTSEN desil ' || desil || ' is above the programme threshold of desil '
                 || case programme when 'PKH' then 4 else 5 end
        end as evidence,
        case when desil is null then 'DTSEN tidak memuat desil untuk penerima ini'
             else 'Desil DTSEN ' || desil || ' di atas batas program, yaitu desil '
                 || case programme when 'PKH' then 4 else 5 end
        end as evidence_id
    from recipients
    where desil is null or desil > case programme when 'PKH' then 4 else 5 end
),
deceased_hits as (
    select *, 'DECEASED_RECIPIENT' as rule_code, 'FLAG' as severity,
        'Recorded dead on 14-03-2026 in the Dukcapil death register' as evidence,
        'Tercatat meninggal pada 14-03-2026 di daftar kematian Dukcapil' as evidence_id
    from recipients where hash(person_id, 'dead') % 1000 < 8
),
padan_hits as (
    select *, 'NOT_PADAN_DUKCAPIL' as rule_code, 'FLAG' as severity,
        'The register record is not matched with Dukcapil (Padan Dukcapil = TIDAK)'
            as evidence,
        'Data DTSEN tidak padan dengan Dukcapil (Padan Dukcapil = TIDAK)' as evidence_id
    from recipients where not is_padan_dukcapil
),
dob_hits as (
    select *, 'DEFAULT_DOB' as rule_code, 'INFO' as severity,
        'Birth date ' || strftime(birth_date, '%d-%m-%Y') || ' is a default date' as evidence,
        'Tanggal lahir ' || strftime(birth_date, '%d-%m-%Y') || ' adalah tanggal bawaan'
            as evidence_id
    from recipients where (day(birth_date) = 1 and month(birth_date) in (1, 7))
        or day(birth_date) = 15
),
hits as (
    select * from desil_hits union all select * from deceased_hits
    union all select * from padan_hits union all select * from dob_hits
),
final as (
    select
        'FND-'
            || lpad(row_number() over (order by rule_code, programme, person_id)::varchar, 8, '0')
            as finding_id,
        '{size.run_id}' as run_id, rule_code, severity, programme, '2026-T4' as period,
        person_id, family_id, record_id, nik, no_kk, name, kecamatan_code, desa_code,
        evidence, evidence_id, '{{}}' as evidence_json, source_file, source_sheet, source_row,
        1.0 as match_probability, 'high' as confidence
    from hits
)
select * from final
"""
    run_sql(con, sql, "fct_findings")


def _create_marts(con: duckdb.DuckDBPyConnection) -> None:
    benefit = "case programme when 'PKH' then 250000 when 'BPNT' then 200000 else 42000 end"
    run_sql(
        con,
        f"""
select
    programme, any_value(person_id) as person_id, any_value(family_id) as family_id, nik,
    any_value(no_kk) as no_kk, any_value(name) as name, any_value(kecamatan_code) as kecamatan_code,
    any_value(desa_code) as desa_code,
        string_agg(distinct rule_code, ',' order by rule_code) as rule_codes,
    'FLAG' as severity, 3 as months_at_risk,
    any_value({benefit}) as idr_at_risk_month, any_value({benefit}) * 12 as idr_at_risk_year,
    any_value(source_file) as source_file, any_value(source_sheet) as source_sheet,
    any_value(source_row) as source_row,
    list(rule_code || ': ' || evidence order by rule_code, evidence) as evidence_items,
    list(rule_code || ': ' || evidence_id order by rule_code, evidence_id) as evidence_items_id,
    min(match_probability) as confidence
from fct_findings
where severity = 'FLAG'
group by programme, nik
""",
        "inclusion_errors",
    )
    run_sql(
        con,
        """
with
received as (select distinct family_id from __syn_recipients where programme in ('PKH', 'BPNT')),
heads as (select * from __syn_people where relationship = 'KEPALA KELUARGA'),
final as (
    select h.family_id, h.no_kk, h.nik as head_nik, h.name as head_name, h.desil,
        'BPNT' as programme,
        'Desil ' || h.desil || ', padan Dukcapil, tidak menerima PKH maupun BPNT' as reason,
        h.kecamatan_code, h.desa_code
    from heads as h
    where h.desil <= 2 and h.is_padan_dukcapil
      and h.family_id not in (select family_id from received)
)
select * from final
""",
        "exclusion_errors",
    )
    run_sql(
        con,
        """
with
recipients as (
    select programme, kecamatan_code, desa_code, count(*) as recipients
    from __syn_recipients group by all
),
flagged as (
    select programme, desa_code, count(*) as flagged, sum(idr_at_risk_month) as idr_month
    from inclusion_errors group by all
),
exclusion as (
    select programme, desa_code, count(*) as exclusion_candidates from exclusion_errors group by all
),
final as (
    select r.programme, r.kecamatan_code, r.desa_code, r.recipients,
        coalesce(f.flagged, 0) as flagged,
        coalesce(f.flagged, 0) / r.recipients as inclusion_error_rate,
        coalesce(e.exclusion_candidates, 0) as exclusion_candidates,
        coalesce(f.idr_month, 0) as idr_at_risk_month,
        coalesce(f.idr_month, 0) * 12 as idr_at_risk_year
    from recipients as r
    left join flagged as f using (programme, desa_code)
    left join exclusion as e using (programme, desa_code)
)
select * from final
""",
        "summary_rates",
    )
    run_sql(
        con,
        """
select rule_code, 'evaluated' as status, true as is_evaluated,
    null::varchar as not_evaluated_reason, null::varchar as limitation_reason,
    null::varchar as missing_inputs, count(*) as findings
from fct_findings group by rule_code
union all
select 'WAGE_ABOVE_UMK', 'not_evaluated', false, 'no BPJS-TK wage extract in this run', null,
    'stg_bpjs_tk', 0
""",
        "rule_status",
    )
    run_sql(
        con,
        """
select 'CMP-' || lpad(row_number() over (order by person_id)::varchar, 6, '0') as complaint_id,
    person_id, family_id, nik, no_kk, name,
        date '2026-10-01' + (hash(person_id, 'cd') % 60)::integer as complaint_date,
    case hash(person_id, 'ch') % 3 when 0 then 'Rumah Curhat'
        when 1 then 'Cek Bansos' else 'SP4N-LAPOR!' end as channel,
    case when desil <= 4 then 'usulan' else 'sanggahan' end as complaint_type,
    'PKH' as programme_requested, 'diterima' as complaint_status,
    hash(person_id, 'od') % 4 = 0 as is_overdue, date '2026-12-04' as overdue_reference_date,
    case when desil <= 4 then 'layak diusulkan' else 'tidak layak' end as pre_verified_status,
    case when desil <= 4 then 'Usulkan lewat musdes dan SIKS-NG'
         else 'Jelaskan bahwa desil ' || desil || ' di atas batas PKH' end as next_step,
    kecamatan_code, desa_code
from __syn_people
where hash(person_id, 'complaint') % 1000 < 3
""",
        "complaint_results",
    )
    run_sql(
        con,
        "select finding_id, rule_code, programme, person_id, 'new' as change from fct_findings "
        "where hash(finding_id) % 10 = 0",
        "findings_diff",
    )


def _create_run_tables(con: duckdb.DuckDBPyConnection, size: SyntheticSize) -> None:
    run_sql(
        con,
        f"""
select '{size.run_id}' as run_id, source_kind, source_file, source_sheet,
    count(*) + 3 as rows_read, count(*) as rows_loaded, 3 as rows_quarantined
from (select source_kind, source_file, source_sheet from stg_register
      union all select source_kind, source_file, source_sheet from __syn_roster_records)
group by all
""",
        "file_reconciliation",
    )
    run_sql(
        con,
        f"""
select '{size.run_id}' as run_id, source_kind, source_file, source_sheet,
    (1000000 + i)::bigint as source_row,
    case i when 0 then 'blank_row' when 1 then 'totals_row' else 'no_identity' end as reason_code,
    'synthetic' as reason_detail, '{{}}' as raw_values
from file_reconciliation, range(3) as t(i)
""",
        "quarantine",
    )
    run_sql(
        con,
        f"""
select '{size.run_id}' as run_id, timestamp '2026-12-04 20:00:00' as started_at,
    timestamp '2026-12-04 20:14:00' as finished_at, '{size.config_version}' as config_version,
    '{{"dtsen_batang_202611.csv": "sha256:00", '
        || '"pkh_tahap4_2026.xlsx": "sha256:01"}}' as input_checksums,
    '{{}}' as stage_seconds, date '2026-12-04' as complaints_reference_date
""",
        "runs",
    )
    for scratch in ("__syn_desa", "__syn_people", "__syn_recipients", "__syn_roster_records"):
        run_sql(con, f"drop table {scratch}")
