-- Each register family and programme: whether the family is eligible (desil at
-- or below the programme threshold, every member padan with Dukcapil and active
-- in the register, no member on an exclusion list, a living member, and for PKH
-- a member qualifying for a component) and whether it receives the programme in
-- the period (PKH/BPNT: a KPM of the family; PBI: any member). When the
-- programme's roster is not in the run (is_roster_in_run false), is_receiving
-- is false only because nothing could be read: readers leave those rows out.
with

members as (
    select * from __rules_family_members
),

components as (
    select * from __rules_family_components
),

recipients as (
    select * from __rules_recipients
),

list_members as (
    select * from __rules_list_members
),

programmes as (
    select * from __rules_programmes
),

rosters as (
    select * from __rules_rosters
),

params as (
    select * from __rules_params
),

excluded_people as (
    select distinct list_members.person_id
    from list_members
    cross join params
    where list_members.list_kind in ('asn', 'village_officials', 'exclusion', 'business')
        or (list_members.list_kind = 'bpjs_tk' and list_members.amount > params.umk_idr)
),

heads as (
    select *
    from members
    qualify row_number() over (
        partition by family_id
        order by relationship = 'KEPALA KELUARGA' desc, is_deceased, age desc nulls last,
            record_id
    ) = 1
),

families as (
    select
        members.family_id,
        -- The most common desil of the members; on a tie, the lowest.
        __rules_mode_lowest(list(members.effective_desil)) as desil,
        count(*) filter (where not members.is_deceased) as living_members,
        count(*) filter (where excluded_people.person_id is not null) as excluded_members,
        bool_and(coalesce(members.is_padan_dukcapil, false)) as is_all_padan,
        bool_and(coalesce(members.is_register_active, true)) as is_all_active
    from members
    left join excluded_people on members.person_id = excluded_people.person_id
    group by members.family_id
),

receiving as (
    select
        recipient_family_id as family_id,
        programme,
        count(distinct person_id) as recipients
    from recipients
    where recipient_family_id is not null
    group by all
),

final as (
    select
        families.family_id,
        heads.record_id as head_record_id,
        heads.person_id as head_person_id,
        heads.no_kk,
        heads.desa_code,
        heads.kecamatan_code,
        families.desil,
        families.living_members,
        families.excluded_members,
        families.is_all_padan,
        families.is_all_active,
        programmes.programme,
        programmes.desil_threshold,
        programmes.benefit_idr_per_month,
        rosters.is_roster_in_run,
        coalesce(components.pregnant, 0) as pregnant,
        coalesce(components.early_childhood, 0) as early_childhood,
        coalesce(components.in_school, 0) as in_school,
        coalesce(components.severe_disability, 0) as severe_disability,
        coalesce(components.elderly, 0) as elderly,
        coalesce(components.pregnant + components.early_childhood + components.in_school
            + components.severe_disability + components.elderly, 0) as pkh_components,
        coalesce(receiving.recipients, 0) as recipients,
        coalesce(receiving.recipients, 0) > 0 as is_receiving,
        families.desil <= programmes.desil_threshold
        and families.is_all_padan
        and families.is_all_active
        and families.excluded_members = 0
        and families.living_members > 0
        and (
            programmes.programme <> 'PKH'
            or coalesce(components.pregnant + components.early_childhood + components.in_school
                + components.severe_disability + components.elderly, 0) > 0
        ) as is_eligible
    from families
    inner join heads on families.family_id = heads.family_id
    cross join programmes
    inner join rosters on programmes.programme = rosters.programme
    left join components on families.family_id = components.family_id
    left join receiving
        on families.family_id = receiving.family_id
        and programmes.programme = receiving.programme
)

select * from final
