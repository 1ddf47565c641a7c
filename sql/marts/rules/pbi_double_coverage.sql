-- Rule 24 PBI_DOUBLE_COVERAGE (FLAG): an active PBI member is also covered as
-- PPU (on the ASN/TNI/Polri/pensioner list, on the perangkat desa list, or with
-- an active PPU row in the BPJS roster), or is an active member of both PBI
-- APBN and PBI APBD, or holds more than one active PBI row (another noka, or the
-- same noka listed twice). The person is the linked person, so a second row
-- with a mistyped NIK still counts.
with

recipients as (
    select * from __rules_recipients
),

records as (
    select * from __rules_records
),

pbi as (
    select * from __rules_in_pbi
),

list_members as (
    select * from __rules_list_members
),

params as (
    select * from __rules_params
),

bpjs_rows as (
    select records.person_id, records.record_id, upper(pbi.segment) as segment, pbi.noka
    from records
    inner join pbi on records.record_id = pbi.record_id
    where coalesce(pbi.is_active, true)
),

per_person as (
    select
        person_id,
        list(distinct segment order by segment) as segments,
        count(distinct noka) filter (where segment like 'PBI%') as pbi_nokas,
        count(*) filter (where segment like 'PBI%') as pbi_rows
    from bpjs_rows
    group by person_id
),

ppu_lists as (
    select person_id, list(distinct category order by category) as categories
    from list_members
    where list_kind in ('asn', 'village_officials')
    group by person_id
),

covered as (
    select
        recipients.*,
        per_person.segments,
        per_person.pbi_nokas,
        per_person.pbi_rows,
        ppu_lists.categories,
        -- Each problem in English and Indonesian, so both sentences rest on one condition.
        list_filter([
            case when ppu_lists.person_id is not null then {
                'en': printf('also PPU as %s', array_to_string(ppu_lists.categories, ', ')),
                'id': printf(
                    'juga terdaftar PPU sebagai %s', array_to_string(ppu_lists.categories, ', ')
                )
            } end,
            case when list_contains(per_person.segments, 'PPU') then {
                'en': 'also has an active PPU membership',
                'id': 'juga memiliki kepesertaan PPU aktif'
            } end,
            case when list_contains(per_person.segments, 'PBI APBN')
                and list_contains(per_person.segments, 'PBI APBD')
                then {
                    'en': 'member of both PBI APBN and PBI APBD',
                    'id': 'terdaftar di PBI APBN sekaligus PBI APBD'
                } end,
            case
                when per_person.pbi_nokas > 1 then {
                    'en': printf('active under %d different noka', per_person.pbi_nokas),
                    'id': printf('aktif dengan %d noka berbeda', per_person.pbi_nokas)
                }
                when per_person.pbi_rows > 1
                    and not (
                        list_contains(per_person.segments, 'PBI APBN')
                        and list_contains(per_person.segments, 'PBI APBD')
                    )
                    then {
                        'en': printf('listed %d times with the same noka', per_person.pbi_rows),
                        'id': printf('tercatat %d kali dengan noka yang sama', per_person.pbi_rows)
                    }
            end
        ], lambda problem: problem is not null) as problem_texts,
        list_transform(problem_texts, lambda problem: problem.en) as problems,
        list_transform(problem_texts, lambda problem: problem.id) as problems_id
    from recipients
    left join per_person on recipients.person_id = per_person.person_id
    left join ppu_lists on recipients.person_id = ppu_lists.person_id
    where recipients.programme = 'PBI'
),

final as (
    select
        'PBI_DOUBLE_COVERAGE' as rule_code,
        'FLAG' as severity,
        'PBI' as programme,
        params.period_label as period,
        covered.record_id,
        covered.noka as detail_key,
        'Double JKN coverage: ' || array_to_string(problems, '; ') as evidence,
        'Kepesertaan JKN ganda: ' || array_to_string(problems_id, '; ') as evidence_id,
        json_object(
            'segments', covered.segments,
            'pbi_nokas', covered.pbi_nokas,
            'pbi_rows', covered.pbi_rows,
            'ppu_categories', covered.categories,
            'noka', covered.noka
        ) as evidence_json,
        null::double as match_probability,
        1.0 as confidence
    from covered
    cross join params
    where len(problems) > 0
)

select * from final
