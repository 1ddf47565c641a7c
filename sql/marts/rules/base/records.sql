-- Every staging person row with its linked person, its register family and
-- normalised identifiers. One row per record_id.
with

unioned as (
    select * from __rules_records_unioned
),

links as (
    select * from __rules_in_int_person_links
),

families as (
    select * from __rules_in_int_families
),

params as (
    select * from __rules_params
),

normalised as (
    select
        unioned.*,
        __rules_programme_of(unioned.kind) as programme,
        __rules_digits(unioned.nik_raw) as nik_digits,
        __rules_digits(unioned.no_kk_raw) as no_kk_digits,
        __rules_name_key(coalesce(unioned.name, unioned.name_raw)) as name_key,
        __rules_name_letters(coalesce(unioned.name, unioned.name_raw)) as name_letters,
        coalesce(unioned.source_sheet, '') as sheet,
        coalesce(
            unioned.kind not in ('pkh', 'bpnt')
            or unioned.period = params.period_label,
            false
        ) as is_in_period,
        case
            when unioned.kind in ('pkh', 'bpnt')
                then coalesce(unioned.period = params.period_label, false)
                and coalesce(unioned.is_active, true)
            when unioned.kind = 'pbi' then coalesce(unioned.is_active, true)
            else true
        end as is_current
    from unioned
    cross join params
),

keyed as (
    select
        normalised.*,
        coalesce(
            regexp_full_match(trim(nik_raw), '[0-9]+([.,][0-9]+)?[eE]\+?[0-9]+')
            or regexp_full_match(trim(nik_raw), '[0-9]{12,17}[.,]0+')
            or nik_cell_type = 'number'
            or nik_status = 'excel_damaged',
            false
        ) as is_nik_excel_damaged,
        coalesce(
            regexp_full_match(trim(no_kk_raw), '[0-9]+([.,][0-9]+)?[eE]\+?[0-9]+')
            or regexp_full_match(trim(no_kk_raw), '[0-9]{12,17}[.,]0+')
            or no_kk_status = 'excel_damaged',
            false
        ) as is_no_kk_excel_damaged
    from normalised
),

linked as (
    select
        keyed.*,
        -- NIK and No KK usable as join keys: 16 digits, no placeholder, no
        -- spreadsheet damage, and not rejected by staging.
        case
            when not is_nik_excel_damaged
                and coalesce(nik_status, 'valid') = 'valid'
                and regexp_full_match(nik_digits, '[0-9]{16}')
                and not __rules_is_placeholder(nik_digits)
                then nik_digits
        end as nik_key,
        case
            when not is_no_kk_excel_damaged
                and coalesce(no_kk_status, 'valid') = 'valid'
                and regexp_full_match(no_kk_digits, '[0-9]{16}')
                and not __rules_is_placeholder(no_kk_digits)
                then no_kk_digits
        end as no_kk_key,
        coalesce(links.person_id, keyed.record_id) as person_id,
        coalesce(links.cluster_size, 1) as cluster_size,
        families.family_id,
        families.no_kk as family_no_kk,
        families.relationship as family_relationship
    from keyed
    left join links on keyed.record_id = links.record_id
    left join families on coalesce(links.person_id, keyed.record_id) = families.person_id
    qualify row_number() over (
        partition by keyed.record_id order by families.family_id
    ) = 1
),

final as (
    select * exclude (source_sheet) rename (sheet as source_sheet)
    from linked
)

select * from final
