-- Findings of the list rules 14 to 18, one row per recipient row and rule: the
-- recipient, or a register member of the recipient's family, is on a list.
-- Each rule file selects its own rows; the conditions per list are:
-- ASN_TNI_POLRI: ASN/TNI/Polri/pensioner list. OCCUPATIONAL_EXCLUSION: the
-- perangkat desa list and every non-business exclusion category.
-- BUSINESS_OWNER: business (AHU/OSS) exclusion categories. WAGE_ABOVE_UMK: a
-- BPJS-TK wage above [wage] umk_idr. PROXY_AFFLUENCE: a PLN connection of at
-- least [proxy] min_power_va or an R1M tariff, or a vehicle with four or more
-- wheels (WARN, confidence halved: not an official exclusion).
with

recipients as (
    select * from __rules_recipients
),

circle as (
    select * from __rules_recipient_circle
),

list_members as (
    select * from __rules_list_members
),

params as (
    select * from __rules_params
),

pair_probability as (
    select * from __rules_pair_probability
),

best_probability as (
    select * from __rules_record_best_probability
),

hits as (
    select
        circle.record_id,
        case
            when list_members.list_kind = 'asn' then 'ASN_TNI_POLRI'
            when list_members.list_kind in ('village_officials', 'exclusion')
                then 'OCCUPATIONAL_EXCLUSION'
            when list_members.list_kind = 'business' then 'BUSINESS_OWNER'
            when list_members.list_kind = 'bpjs_tk' then 'WAGE_ABOVE_UMK'
            else 'PROXY_AFFLUENCE'
        end as rule_code,
        circle.member_role,
        circle.member_name,
        list_members.category,
        printf(
            '%s %s: %s (%s row %s)',
            -- member_role is the lowercased register relationship (stg_relationship).
            case circle.member_role
                when 'self' then 'the recipient'
                when 'kepala keluarga' then 'family head'
                when 'suami' then 'husband'
                when 'istri' then 'wife'
                when 'anak' then 'child'
                when 'cucu' then 'grandchild'
                when 'orang tua' then 'parent'
                when 'mertua' then 'parent-in-law'
                when 'famili lain' then 'other relative'
                when 'lainnya' then 'other household member'
                else circle.member_role
            end,
            coalesce(circle.member_name, '-'),
            case list_members.list_kind
                when 'bpjs_tk' then printf(
                    'BPJS-TK wage %s above the UMK %s',
                    __rules_rupiah_en(list_members.amount),
                    __rules_rupiah_en(params.umk_idr)
                )
                when 'pln' then printf(
                    'PLN customer %s at %d VA, tariff %s',
                    coalesce(list_members.detail, '-'),
                    list_members.amount,
                    coalesce(list_members.category, '-')
                )
                when 'vehicles' then printf(
                    'vehicle %s with %d wheels',
                    coalesce(list_members.detail, '-'),
                    list_members.amount
                )
                else printf(
                    '%s (%s)',
                    coalesce(list_members.category, '-'),
                    coalesce(list_members.detail, '-')
                )
            end,
            coalesce(list_members.list_source_file, '-'),
            coalesce(cast(list_members.list_source_row as varchar), '-')
        ) as description,
        printf(
            '%s %s: %s (%s baris %s)',
            case circle.member_role
                when 'self' then 'penerima'
                when 'family member' then 'anggota keluarga'
                else circle.member_role
            end,
            coalesce(circle.member_name, '-'),
            case list_members.list_kind
                when 'bpjs_tk' then printf(
                    'upah BPJS-TK %s di atas UMK %s',
                    __rules_rupiah_id(list_members.amount),
                    __rules_rupiah_id(params.umk_idr)
                )
                when 'pln' then printf(
                    'pelanggan PLN %s dengan daya %d VA, tarif %s',
                    coalesce(list_members.detail, '-'),
                    list_members.amount,
                    coalesce(list_members.category, '-')
                )
                when 'vehicles' then printf(
                    'kendaraan %s beroda %d',
                    coalesce(list_members.detail, '-'),
                    list_members.amount
                )
                else printf(
                    '%s (%s)',
                    coalesce(list_members.category, '-'),
                    coalesce(list_members.detail, '-')
                )
            end,
            coalesce(list_members.list_source_file, '-'),
            coalesce(cast(list_members.list_source_row as varchar), '-')
        ) as description_id,
        -- __rules_link_probability written as joins: its subqueries are slow for the
        -- many PLN and vehicle hits of a regency.
        case
            when circle.member_record_id <> list_members.list_record_id then coalesce(
                pair_probability.match_probability,
                case when circle.member_nik = list_members.list_nik then 1.0 end,
                least(member_best.best_probability, list_best.best_probability)
            )
        end as link_probability
    from circle
    inner join list_members on circle.member_person_id = list_members.person_id
    cross join params
    left join pair_probability
        on circle.member_record_id = pair_probability.record_id_a
        and list_members.list_record_id = pair_probability.record_id_b
    left join best_probability as member_best
        on circle.member_record_id = member_best.record_id
    left join best_probability as list_best
        on list_members.list_record_id = list_best.record_id
    where list_members.list_kind in ('asn', 'village_officials', 'exclusion', 'business')
        or (list_members.list_kind = 'bpjs_tk' and list_members.amount > params.umk_idr)
        or (
            list_members.list_kind = 'pln'
            and (
                list_members.amount >= params.proxy_min_power_va
                or list_members.category like 'R1M%'
            )
        )
        or (list_members.list_kind = 'vehicles' and list_members.amount >= 4)
),

per_recipient as (
    select
        record_id,
        rule_code,
        list(description order by member_role <> 'self', member_name, description)
            as matches,
        list(description_id order by member_role <> 'self', member_name, description)
            as matches_id,
        list(distinct category order by category) as categories,
        min(link_probability) as link_probability
    from hits
    group by record_id, rule_code
),

final as (
    select
        per_recipient.rule_code,
        case when per_recipient.rule_code = 'PROXY_AFFLUENCE' then 'WARN' else 'FLAG' end
            as severity,
        recipients.programme,
        params.period_label as period,
        recipients.record_id,
        null as detail_key,
        case per_recipient.rule_code
            when 'ASN_TNI_POLRI' then 'On the ASN/TNI/Polri list: '
            when 'OCCUPATIONAL_EXCLUSION' then 'On an exclusion list: '
            when 'BUSINESS_OWNER' then 'Registered company officer or owner: '
            when 'WAGE_ABOVE_UMK' then 'Wage above UMK: '
            else 'Affluence indicators (field check needed): '
        end || array_to_string(per_recipient.matches, '; ') as evidence,
        case per_recipient.rule_code
            when 'ASN_TNI_POLRI' then 'Tercatat di daftar ASN/TNI/Polri: '
            when 'OCCUPATIONAL_EXCLUSION' then 'Tercatat di daftar pengecualian: '
            when 'BUSINESS_OWNER' then 'Tercatat sebagai pengurus atau pemilik badan usaha: '
            when 'WAGE_ABOVE_UMK' then 'Upah di atas UMK: '
            else 'Indikator kemampuan ekonomi (perlu cek lapangan): '
        end || array_to_string(per_recipient.matches_id, '; ') as evidence_id,
        json_object(
            'matches', per_recipient.matches,
            'categories', per_recipient.categories
        ) as evidence_json,
        per_recipient.link_probability as match_probability,
        coalesce(per_recipient.link_probability, 1.0)
        * case when per_recipient.rule_code = 'PROXY_AFFLUENCE' then 0.5 else 1.0 end
            as confidence
    from per_recipient
    inner join recipients on per_recipient.record_id = recipients.record_id
    cross join params
)

select * from final
