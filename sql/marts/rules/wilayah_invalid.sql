-- Rule 25 WILAYAH_INVALID: the desa or kecamatan code of a record is not in the
-- Batang region table (ERROR), staging marked the code invalid (ERROR), the
-- desa is not under the stated kecamatan (WARN), or staging could not place a
-- desa name (unknown, or ambiguous across kecamatan without a code: WARN).
-- Files in which staging placed no row at all (lists without region columns,
-- such as the ASN list) are not checked.
with

records as (
    select * from __rules_records
),

wilayah as (
    select * from __rules_wilayah
),

params as (
    select * from __rules_params
),

files_with_region as (
    select distinct source_file
    from records
    where desa_code is not null
        or kecamatan_code is not null
        or wilayah_status in ('ok', 'mismatch', 'code_invalid', 'ambiguous')
),

described as (
    select
        records.*,
        -- Each problem in English and Indonesian, so both sentences rest on one condition.
        list_filter([
            case when records.desa_code is not null
                and records.desa_code not in (select desa_code from wilayah) then {
                    'en': printf('desa code %s is not in the region table', records.desa_code),
                    'id': printf('kode desa %s tidak ada di tabel wilayah', records.desa_code)
                } end,
            case when records.kecamatan_code is not null
                and records.kecamatan_code not in (select kecamatan_code from wilayah) then {
                    'en': printf(
                        'kecamatan code %s is not in the region table', records.kecamatan_code
                    ),
                    'id': printf(
                        'kode kecamatan %s tidak ada di tabel wilayah', records.kecamatan_code
                    )
                } end,
            case when records.wilayah_status = 'code_invalid' then {
                'en': 'the region code in the file is invalid',
                'id': 'kode wilayah di berkas tidak valid'
            } end
        ], lambda problem: problem is not null) as error_texts,
        list_filter([
            case when records.desa_code is not null and records.kecamatan_code is not null
                and left(records.desa_code, 6) <> records.kecamatan_code then {
                    'en': printf(
                        'desa %s is not in kecamatan %s', records.desa_code, records.kecamatan_code
                    ),
                    'id': printf(
                        'desa %s tidak berada di kecamatan %s',
                        records.desa_code, records.kecamatan_code
                    )
                } end,
            case when records.wilayah_status = 'mismatch'
                and not (records.desa_code is not null and records.kecamatan_code is not null
                    and left(records.desa_code, 6) <> records.kecamatan_code)
                then {
                    'en': 'the desa is not in the stated kecamatan',
                    'id': 'desa tidak berada di kecamatan yang disebut'
                } end,
            case when records.wilayah_status = 'unknown' then {
                'en': 'the desa or kecamatan name is not in the region table',
                'id': 'nama desa atau kecamatan tidak ada di tabel wilayah'
            } end,
            case when records.wilayah_status = 'ambiguous' then {
                'en': 'the desa name exists in several kecamatan and no code is given',
                'id': 'nama desa ada di beberapa kecamatan dan kodenya tidak diisi'
            } end
        ], lambda problem: problem is not null) as warning_texts
    from records
    where records.source_file in (select source_file from files_with_region)
),

-- DuckDB cannot reuse a select alias in a select list that has subqueries, hence two steps.
checked as (
    select
        described.*,
        list_transform(error_texts, lambda problem: problem.en) as errors,
        list_transform(warning_texts, lambda problem: problem.en) as warnings,
        list_transform(error_texts, lambda problem: problem.id) as errors_id,
        list_transform(warning_texts, lambda problem: problem.id) as warnings_id
    from described
),

final as (
    select
        'WILAYAH_INVALID' as rule_code,
        case when len(errors) > 0 then 'ERROR' else 'WARN' end as severity,
        checked.programme,
        params.period_label as period,
        checked.record_id,
        null as detail_key,
        'Region invalid: ' || array_to_string(list_concat(errors, warnings), '; ') as evidence,
        'Wilayah tidak valid: ' || array_to_string(list_concat(errors_id, warnings_id), '; ')
            as evidence_id,
        json_object(
            'desa_code', checked.desa_code,
            'kecamatan_code', checked.kecamatan_code,
            'wilayah_status', checked.wilayah_status,
            'problems', list_concat(errors, warnings)
        ) as evidence_json,
        null::double as match_probability,
        1.0 as confidence
    from checked
    cross join params
    where len(errors) + len(warnings) > 0
)

select * from final
