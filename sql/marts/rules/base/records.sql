-- Every staging person row with its linked person, its register family and
-- normalised identifiers. One row per record_id.
with

unioned as (
    select * from __rules_records_unioned
),

-- A second CTE over the same table, so DuckDB does not materialise `unioned`
-- for its two readers.
record_ids as (
    select record_id from __rules_records_unioned
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

-- Name key and letters once per distinct name, because the key's list lambdas
-- cost about 1.7 CPU s over the 1.7 million rows of the synthetic batang data.
-- That data has only 6,188 distinct names, and real files repeat names less,
-- so the saving there is smaller. Both macros read NULL as '', so '' is the
-- join value of a missing name.
name_forms as (
    select
        name_source,
        __rules_name_key(name_source) as name_key,
        __rules_name_letters(name_source) as name_letters
    from (
        select distinct coalesce(name, name_raw, '') as name_source
        from __rules_records_unioned
    )
),

normalised as (
    select
        unioned.*,
        __rules_programme_of(unioned.kind) as programme,
        __rules_digits(unioned.nik_raw) as nik_digits,
        __rules_digits(unioned.no_kk_raw) as no_kk_digits,
        name_forms.name_key,
        name_forms.name_letters,
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
    inner join name_forms
        on coalesce(unioned.name, unioned.name_raw, '') = name_forms.name_source
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

-- The first register family of each person by family_id, when a person has
-- several. Chosen once per person (about 850,000 at batang size) rather than
-- once per record (1.7 million).
person_families as (
    select
        person_id,
        family_id,
        no_kk,
        relationship
    from families
    qualify row_number() over (partition by person_id order by family_id) = 1
),

-- Person and register family of each record, chosen on narrow rows. record_id
-- is unique in staging, and int_person_links has one row per record.
link_keys as (
    select
        record_ids.record_id,
        links.person_id,
        links.cluster_size,
        person_families.family_id,
        person_families.no_kk as family_no_kk,
        person_families.relationship as family_relationship
    from record_ids
    left join links on record_ids.record_id = links.record_id
    left join person_families
        on coalesce(links.person_id, record_ids.record_id) = person_families.person_id
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
        coalesce(link_keys.person_id, keyed.record_id) as person_id,
        coalesce(link_keys.cluster_size, 1) as cluster_size,
        link_keys.family_id,
        link_keys.family_no_kk,
        link_keys.family_relationship
    from keyed
    inner join link_keys on keyed.record_id = link_keys.record_id
),

final as (
    select * exclude (source_sheet) rename (sheet as source_sheet)
    from linked
)

select * from final
