-- Rule 6 DUP_NIK_IN_LIST (FLAG): one NIK in more than one active row of the PKH
-- or BPNT roster for the audited period (a double payment). Every row of the
-- group is reported. PBI members listed twice are rule 24. NIKs damaged by a
-- spreadsheet are not compared, because the damage itself creates false
-- duplicates. When the rows of a NIK come from different files or sheets, the
-- evidence names the file and sheet of each row, because two copies of one
-- roster, or two sheets of one workbook, give the same row numbers.
with

recipients as (
    select * from __rules_recipients
),

params as (
    select * from __rules_params
),

grouped as (
    select
        *,
        count(*) over (partition by programme, nik_key) as rows_with_nik,
        list({'file': source_file, 'sheet': source_sheet, 'row': source_row})
            over (partition by programme, nik_key) as row_refs
    from recipients
    where nik_key is not null and programme in ('PKH', 'BPNT')
),

duplicated as (
    select
        *,
        list_sort(row_refs) as sorted_refs,
        list_transform(sorted_refs, lambda ref: ref.row) as rows_list,
        len(list_distinct(list_transform(row_refs, lambda ref: ref.file))) > 1 as in_several_files,
        len(list_distinct(list_transform(row_refs, lambda ref: ref.sheet))) > 1
            as in_several_sheets
    from grouped
    where rows_with_nik > 1
),

final as (
    select
        'DUP_NIK_IN_LIST' as rule_code,
        'FLAG' as severity,
        duplicated.programme,
        params.period_label as period,
        duplicated.record_id,
        -- Without a KPM id, fct_findings distinguishes the rows of one NIK by their
        -- identity fingerprint. The row number would change when rows shift.
        coalesce(duplicated.kpm_id, duplicated.noka) as detail_key,
        printf(
            'NIK appears in %d active %s rows for %s (%s)',
            rows_with_nik,
            duplicated.programme,
            params.period_label,
            case
                when in_several_files or in_several_sheets then array_to_string(
                    list_transform(
                        sorted_refs,
                        lambda ref: printf(
                            '%s%s row %d',
                            ref.file,
                            coalesce(' [' || nullif(ref.sheet, '') || ']', ''),
                            ref.row
                        )
                    ),
                    ', '
                )
                else 'rows ' || array_to_string(rows_list, ', ')
            end
        ) as evidence,
        printf(
            'NIK muncul di %d baris aktif %s untuk %s (%s)',
            rows_with_nik,
            duplicated.programme,
            params.period_label,
            case
                when in_several_files or in_several_sheets then array_to_string(
                    list_transform(
                        sorted_refs,
                        lambda ref: printf(
                            '%s%s baris %d',
                            ref.file,
                            coalesce(' [' || nullif(ref.sheet, '') || ']', ''),
                            ref.row
                        )
                    ),
                    ', '
                )
                else 'baris ' || array_to_string(rows_list, ', ')
            end
        ) as evidence_id,
        json_object(
            'rows_with_nik', rows_with_nik,
            'source_rows', rows_list,
            'source_files', list_transform(sorted_refs, lambda ref: ref.file),
            'source_sheets', list_transform(sorted_refs, lambda ref: ref.sheet),
            'kpm_id', duplicated.kpm_id,
            'noka', duplicated.noka
        ) as evidence_json,
        null::double as match_probability,
        1.0 as confidence
    from duplicated
    cross join params
)

select * from final
