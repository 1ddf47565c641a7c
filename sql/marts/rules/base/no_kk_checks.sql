-- Problems of the No KK of every record of a file with a No KK column, for
-- rules 5 and 9: not 16 digits or a placeholder, spreadsheet damage, a region
-- prefix that is not a kecamatan of the region table, a DDMMYY registration
-- date that is impossible or after the export date (the newest register
-- snapshot, else the period end), serial 0000, or equal to the person's NIK. An empty No KK
-- in a complaint is no problem.
with

parts as (
    select * from __rules_nik_parts
),

params as (
    select * from __rules_params
),

register as (
    select * from __rules_in_register
),

export as (
    select coalesce(max(register.snapshot_date), any_value(params.period_end_date)) as export_date
    from params
    left join register on true
),

files_with_kk as (
    select distinct source_file
    from parts
    where no_kk_digits <> ''
),

checked as (
    select
        parts.*,
        export.export_date,
        -- Each problem in English and Indonesian, so both sentences rest on one condition.
        list_filter([
            case
                when parts.is_no_kk_excel_damaged then {
                    'en': 'No KK was stored as a number; its last digit cannot be trusted',
                    'id': 'No KK tersimpan sebagai angka; digit terakhirnya tidak dapat dipercaya'
                }
                when parts.no_kk_digits = '' then {'en': 'No KK is empty', 'id': 'No KK kosong'}
                when __rules_is_placeholder(parts.no_kk_digits) then {
                    'en': 'No KK is a placeholder value',
                    'id': 'No KK berisi nilai pengisi'
                }
                when not is_no_kk_16_digits then {
                    'en': printf(
                        'No KK has %d characters after removing separators; 16 digits are required',
                        length(parts.no_kk_digits)
                    ),
                    'id': printf(
                        'No KK berisi %d karakter setelah pemisah dihapus; seharusnya 16 digit',
                        length(parts.no_kk_digits)
                    )
                }
            end,
            case when is_no_kk_16_digits and not parts.is_no_kk_excel_damaged
                and not is_no_kk_kecamatan_known then {
                    'en': printf(
                        'region prefix %s is not a kecamatan of the region table',
                        left(parts.no_kk_digits, 6)
                    ),
                    'id': printf(
                        'awalan wilayah %s bukan kecamatan di tabel wilayah',
                        left(parts.no_kk_digits, 6)
                    )
                } end,
            case when is_no_kk_16_digits and not parts.is_no_kk_excel_damaged
                and parts.no_kk_date is null then {
                    'en': printf(
                        'registration date %s is not a calendar date',
                        substr(parts.no_kk_digits, 7, 6)
                    ),
                    'id': printf(
                        'tanggal pendaftaran %s bukan tanggal yang ada di kalender',
                        substr(parts.no_kk_digits, 7, 6)
                    )
                } end,
            case when is_no_kk_16_digits and not parts.is_no_kk_excel_damaged
                and parts.no_kk_date > export.export_date then {
                    'en': printf(
                        'registration date %s is after the export date %s',
                        strftime(parts.no_kk_date, '%d-%m-%Y'),
                        strftime(export.export_date, '%d-%m-%Y')
                    ),
                    'id': printf(
                        'tanggal pendaftaran %s sesudah tanggal ekspor %s',
                        strftime(parts.no_kk_date, '%d-%m-%Y'),
                        strftime(export.export_date, '%d-%m-%Y')
                    )
                } end,
            case when is_no_kk_16_digits and not parts.is_no_kk_excel_damaged
                and substr(parts.no_kk_digits, 13, 4) = '0000' then {
                    'en': 'serial 0000 is never issued',
                    'id': 'nomor urut 0000 tidak pernah diterbitkan'
                } end,
            case when is_no_kk_16_digits and parts.no_kk_digits = parts.nik_digits then {
                'en': 'No KK equals the person''s NIK',
                'id': 'No KK sama dengan NIK orang tersebut'
            } end
        ], lambda problem: problem is not null) as problem_texts,
        list_transform(problem_texts, lambda problem: problem.en) as problems,
        list_transform(problem_texts, lambda problem: problem.id) as problems_id
    from parts
    cross join export
    where parts.source_file in (select source_file from files_with_kk)
        and not (parts.kind = 'complaints' and parts.no_kk_digits = '')
),

final as (
    select record_id, export_date, problems, problems_id
    from checked
)

select * from final
