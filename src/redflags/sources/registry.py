"""The lists redflags knows: official download URLs, formats, publishers and licences.

Kept as data so a new list is a new entry, not new code.
"""

from __future__ import annotations

from dataclasses import dataclass, field

OFAC_EXPORTS = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/"


@dataclass(frozen=True)
class ListSpec:
    name: str
    title: str
    format: str
    publisher: str
    licence: str
    # file name in the download folder -> official URL; the first is the one parsed.
    urls: dict[str, str] = field(default_factory=dict)
    # days after which `redflags lists` warns that the list is stale.
    stale_after_days: int = 14
    # shipped inside the package as the bundled default snapshot.
    bundled: bool = False
    info_url: str | None = None

    @property
    def updatable(self) -> bool:
        return bool(self.urls)


LISTS: dict[str, ListSpec] = {
    spec.name: spec
    for spec in [
        ListSpec(
            "us_ofac_sdn",
            "OFAC Specially Designated Nationals (SDN) List",
            "ofac-csv",
            "US Treasury OFAC",
            "US government work, public domain",
            urls={
                "sdn.csv": OFAC_EXPORTS + "SDN.CSV",
                "add.csv": OFAC_EXPORTS + "ADD.CSV",
                "alt.csv": OFAC_EXPORTS + "ALT.CSV",
                "sdn_comments.csv": OFAC_EXPORTS + "SDN_COMMENTS.CSV",
            },
            stale_after_days=7,
            bundled=True,
            info_url="https://ofac.treasury.gov/specially-designated-nationals-and-blocked-persons-list-sdn-human-readable-lists",
        ),
        ListSpec(
            "us_ofac_cons",
            "OFAC Consolidated Sanctions List (non-SDN: NS-CMIC, SSI, FSE, NS-MBS, ...)",
            "ofac-csv",
            "US Treasury OFAC",
            "US government work, public domain",
            urls={
                "cons_prim.csv": OFAC_EXPORTS + "CONS_PRIM.CSV",
                "cons_add.csv": OFAC_EXPORTS + "CONS_ADD.CSV",
                "cons_alt.csv": OFAC_EXPORTS + "CONS_ALT.CSV",
                "cons_comments.csv": OFAC_EXPORTS + "CONS_COMMENTS.CSV",
            },
            stale_after_days=7,
            bundled=True,
            info_url="https://ofac.treasury.gov/consolidated-sanctions-list-non-sdn-lists",
        ),
        ListSpec(
            "us_trade_csl",
            "US Consolidated Screening List (trade.gov)",
            "csl-csv",
            "US Department of Commerce, International Trade Administration",
            "US government work, public domain",
            urls={
                "consolidated.csv": "https://data.trade.gov/downloadable_consolidated_screening_list/v1/consolidated.csv"
            },
            stale_after_days=7,
        ),
        ListSpec(
            "us_bis_dpl",
            "BIS Denied Persons List",
            "bis-dpl",
            "US Department of Commerce, Bureau of Industry and Security",
            "US government work, public domain",
            urls={"dpl.txt": "https://www.bis.doc.gov/dpl/dpl.txt"},
            bundled=True,
        ),
        ListSpec(
            "us_bis_entity_list",
            "BIS Entity List (Supplement No. 4 to Part 744)",
            "us-json",
            "US Department of Commerce, Bureau of Industry and Security",
            "US government work, public domain",
            stale_after_days=30,
            bundled=True,
            info_url="https://www.ecfr.gov/current/title-15/subtitle-B/chapter-VII/subchapter-C/part-744/appendix-Supplement%20No.%204%20to%20Part%20744",
        ),
        ListSpec(
            "us_bis_meu",
            "BIS Military End-User (MEU) List (Supplement No. 7 to Part 744)",
            "us-json",
            "US Department of Commerce, Bureau of Industry and Security",
            "US government work, public domain",
            stale_after_days=60,
            bundled=True,
        ),
        ListSpec(
            "us_dhs_uflpa",
            "UFLPA Entity List",
            "us-json",
            "US Department of Homeland Security, Forced Labor Enforcement Task Force",
            "US government work, public domain",
            stale_after_days=60,
            bundled=True,
            info_url="https://www.dhs.gov/uflpa-entity-list",
        ),
        ListSpec(
            "us_fcc_covered",
            "FCC Covered List (Secure Networks Act)",
            "us-json",
            "US Federal Communications Commission",
            "US government work, public domain",
            stale_after_days=90,
            bundled=True,
            info_url="https://www.fcc.gov/supplychain/coveredlist",
        ),
        ListSpec(
            "us_dod_1260h",
            "DoD Section 1260H Chinese Military Companies",
            "us-json",
            "US Department of Defense (Department of War)",
            "US government work, public domain",
            stale_after_days=400,
            bundled=True,
        ),
        ListSpec(
            "us_ofac_nscmic",
            "OFAC Non-SDN Chinese Military-Industrial Complex Companies (NS-CMIC) List",
            "us-json",
            "US Treasury OFAC",
            "US government work, public domain",
            stale_after_days=60,
            bundled=True,
        ),
        ListSpec(
            "un_sc",
            "UN Security Council Consolidated List",
            "un-xml",
            "United Nations Security Council",
            "UN public information",
            urls={
                "consolidated.xml": "https://scsanctions.un.org/resources/xml/en/consolidated.xml"
            },
            stale_after_days=7,
            bundled=True,
        ),
        ListSpec(
            "gb_ofsi",
            "UK OFSI Consolidated List of Financial Sanctions Targets",
            "uk-ofsi",
            "HM Treasury, Office of Financial Sanctions Implementation",
            "Open Government Licence v3.0",
            urls={
                "ConList.csv": "https://ofsistorage.blob.core.windows.net/publishlive/2022format/ConList.csv"
            },
            stale_after_days=7,
            bundled=True,
        ),
        ListSpec(
            "eu_fsf",
            "EU Consolidated Financial Sanctions List",
            "eu-xml",
            "European Commission (DG FISMA)",
            "EU public information (reuse authorised)",
            urls={
                "eu_fsf.xml": "https://webgate.ec.europa.eu/fsd/fsf/public/files/xmlFullSanctionsList_1_1/content?token=dG9rZW4tMjAxNw"
            },
            stale_after_days=7,
        ),
    ]
}


def get_list(name: str) -> ListSpec | None:
    return LISTS.get(name)
