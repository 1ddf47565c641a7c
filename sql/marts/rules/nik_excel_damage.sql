-- Rule 2 NIK_EXCEL_DAMAGE (ERROR): the NIK was read from a numeric spreadsheet
-- cell, is written in scientific notation (3.325015E+15, 3,32502E+15) or as a
-- float (3325015207850001.0). Excel keeps 15 significant digits, so the last
-- digit cannot be trusted and the NIK must not be used as a join key.
with

parts as (
    select * from __rules_nik_parts
),

params as (
    select * from __rules_params
),

damaged as (
    select *
    from parts
    where is_nik_excel_damaged
),

final as (
    select
        'NIK_EXCEL_DAMAGE' as rule_code,
        'ERROR' as severity,
        damaged.programme,
        params.period_label as period,
        damaged.record_id,
        null as detail_key,
        case
            when regexp_matches(damaged.nik_raw, '[eE]\+?[0-9]')
                then 'NIK is written in scientific notation; its last digits are lost'
            when damaged.nik_cell_type = 'number'
                then 'NIK was stored as a number cell; Excel keeps only 15 digits'
            else 'NIK was stored as a number; its last digit cannot be trusted'
        end as evidence,
        case
            when regexp_matches(damaged.nik_raw, '[eE]\+?[0-9]')
                then 'NIK tertulis dalam notasi ilmiah; digit terakhirnya hilang'
            when damaged.nik_cell_type = 'number'
                then 'NIK tersimpan sebagai sel angka; Excel hanya menyimpan 15 digit'
            else 'NIK tersimpan sebagai angka; digit terakhirnya tidak dapat dipercaya'
        end as evidence_id,
        json_object(
            'nik_raw', damaged.nik_raw,
            'nik_cell_type', damaged.nik_cell_type,
            'nik_status', damaged.nik_status
        ) as evidence_json,
        null::double as match_probability,
        1.0 as confidence
    from damaged
    cross join params
)

select * from final
