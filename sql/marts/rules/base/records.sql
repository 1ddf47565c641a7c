-- Every staging person row with its linked person, its register family and
-- normalised identifiers. One row per record_id.
with

-- Every staging column that a rule or mart reads. Staging also carries
-- source_kind, no_kk_status (read below only), name_titles, name_patronym,
-- birth_date_raw and dusun. Each column costs about 20-40 MB at batang size,
-- so the unread ones stay out.
unioned as (
    select * exclude (source_kind, name_titles, name_patronym, birth_date_raw, dusun)
    from __rules_records_unioned
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
        person_families.family_id,
        person_families.no_kk as family_no_kk,
        person_families.relationship as family_relationship
    from keyed
    -- One row per record stays one: int_person_links has one row per record
    -- and person_families one per person.
    left join links on keyed.record_id = links.record_id
    left join person_families
        on coalesce(links.person_id, keyed.record_id) = person_families.person_id
),

final as (
    select * exclude (source_sheet, no_kk_status) rename (sheet as source_sheet)
    from linked
)

select * from final
