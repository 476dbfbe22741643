#!/usr/bin/env python3
"""Generate licswap's licensing catalog from Microsoft's own tables.

Inputs (copies kept in the repository, see crates/core/data/reference/README.md):
- reference/licensing-service-plans.csv: "Product names and service plan identifiers for
  licensing" (Microsoft Learn), every product (SKU) with its service plans and friendly names;
- reference/service-plan-exclusions.csv: the same reference's "Service plans that cannot be
  assigned at the same time".

Outputs:
- crates/core/src/catalog/data.rs: all SKUs and all service plans, with each plan's service
  family and tier (see FAMILIES below) and the plans that cover it;
- crates/core/src/catalog/rules_data.rs: exclusion groups and add-on prerequisites (small: the
  simulator and the planner read the same table);
- crates/core/src/catalog/names_data.rs: product names by skuPartNumber, compact, for the
  overview (the first screen, which must not carry the whole catalog);
- docs/catalog-families.md: the derived families, tiers and cover relations, for review.

Usage (from anywhere):
    python3 crates/core/data/gen_catalog.py [--plans CSV] [--exclusions CSV]
"""
import argparse
import collections
import csv
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
DEFAULT_PLANS = os.path.join(HERE, "reference", "licensing-service-plans.csv")
DEFAULT_EXCLUSIONS = os.path.join(HERE, "reference", "service-plan-exclusions.csv")
CATALOG = os.path.join(ROOT, "crates", "core", "src", "catalog")
DOCS = os.path.join(ROOT, "docs")
SOURCE_URL = "https://learn.microsoft.com/en-us/entra/identity/users/licensing-service-plan-reference"

# ---------------------------------------------------------------------------------------------
# Service families and tiers, from the plan names.
#
# Microsoft names the editions of one service with a tier word in the servicePlanName, and the
# friendly names say the same thing: FORMS_PLAN_K / _E1 / _E3 / _E5 are "Microsoft Forms (Plan
# F1 / E1 / E3 / E5)", EXCHANGE_S_DESKLESS / _STANDARD / _ENTERPRISE are "Exchange Online Kiosk /
# (Plan 1) / (Plan 2)", PROJECT_O365_F3 / _P1 / _P2 / _P3 are "Project for Office (Plan F / E1 /
# E3 / E5)", WHITEBOARD_FIRSTLINE1 / _PLAN1 / _PLAN2 / _PLAN3 are "Whiteboard (Firstline) /
# (Plan 1) / (Plan 2) / (Plan 3)". A plan's family is its name with the tier word replaced by
# "*"; its tier is the rank of that word below. A plan of a higher or equal tier in the same
# family covers it (an E5 edition provides what the E1 edition of the same service does).
# Everything else (different stems, suffixes such as _GOV or _EDU, which are different clouds or
# programs) is a different family; cross-family coverage comes only from COVERS below.
TIER_WORDS = {
    # Frontline / kiosk editions.
    "K": 1, "F": 1, "F1": 1, "F3": 1, "FIRSTLINE": 1, "FIRSTLINE1": 1, "S1": 1, "DESKLESS": 1,
    "P0": 1,
    # E1 / Plan 1 / business editions.
    "E1": 2, "P1": 2, "PLAN1": 2, "1": 2, "STANDARD": 2, "SMB": 2,
    # E3 / Plan 2.
    "E3": 3, "P2": 3, "PLAN2": 3, "2": 3, "ENTERPRISE": 3,
    # E5 / Plan 3.
    "E5": 4, "P3": 4, "PLAN3": 4, "3": 4,
}
# Tier words Microsoft glues onto the service's name (SHAREPOINTSTANDARD, SHAREPOINTENTERPRISE).
GLUED_TIER_WORDS = ("DESKLESS", "STANDARD", "ENTERPRISE")
TIER_NAMES = {1: "frontline (K/F)", 2: "E1 / Plan 1", 3: "E3 / Plan 2", 4: "E5 / Plan 3"}


def family_of(plan_name, friendly):
    """(family stem, tier) of a servicePlanName, or (None, 0) when it names no tier. A bare digit
    (BPOS_S_TODO_2) is a tier only when the friendly name says "Plan 2": CPC_1 and CPC_2 are two
    Cloud PC sizes ("Windows 365 Enterprise 2 vCPU 4 GB" / "8 GB"), not editions."""
    tokens = plan_name.split("_")
    for i in range(len(tokens) - 1, -1, -1):
        tok = tokens[i].upper()
        if tok.isdigit() and not re.search(r"\bplan\s*" + tok + r"\b", friendly, re.I):
            continue
        if i > 0 and tok in TIER_WORDS:
            return "_".join(tokens[:i] + ["*"] + tokens[i + 1:]).upper(), TIER_WORDS[tok]
        for word in GLUED_TIER_WORDS:
            if tok.endswith(word) and len(tok) > len(word) and i == 0:
                stem = tok[: -len(word)] + "*"
                return "_".join([stem] + tokens[i + 1:]).upper(), TIER_WORDS[word]
    return None, 0


# ---------------------------------------------------------------------------------------------
# Reviewed cross-family cover relations: (plan that covers, plan covered, what it rests on).
# Only where Microsoft's names or service descriptions say one service includes the other; the
# closure (A covers B, B covers C => A covers C) is computed below. When in doubt a plan is left
# out and reported as lost: a missed loss costs an admin's service, a false one costs a click.
COVERS = [
    ("EXCHANGE_S_ENTERPRISE", "EXCHANGE_S_ARCHIVE_ADDON",
     "Exchange Online Archiving service description: Exchange Online Plan 2 includes archiving "
     "(the add-on brings it to Plan 1 and Kiosk)"),
    ("EXCHANGE_S_ENTERPRISE", "BPOS_S_DlpAddOn",
     "Exchange Online service description: data loss prevention is part of Exchange Online "
     "Plan 2; the Business plans, on Plan 1, get it as this add-on"),
    ("EXCHANGE_S_ENTERPRISE", "EXCHANGE_S_FOUNDATION",
     "Exchange Foundation is the Exchange base of products without a mailbox; a mailbox plan "
     "provides it"),
    ("EXCHANGE_S_STANDARD", "EXCHANGE_S_FOUNDATION",
     "Exchange Foundation is the Exchange base of products without a mailbox; a mailbox plan "
     "provides it"),
    ("OFFICESUBSCRIPTION", "OFFICE_BUSINESS",
     "Microsoft 365 Apps for enterprise includes every app of Microsoft 365 Apps for business"),
    ("OFFICESUBSCRIPTION", "OFFICE_SHARED_COMPUTER_ACTIVATION",
     "Microsoft 365 Apps for enterprise supports shared computer activation (the separate plan "
     "brings it to Apps for business)"),
    ("OFFICESUBSCRIPTION", "OFFICEMOBILE_SUBSCRIPTION",
     "Microsoft 365 Apps for enterprise includes the Office mobile apps"),
    ("OFFICESUBSCRIPTION_GOV", "OFFICEMOBILE_SUBSCRIPTION_GOV",
     "as for the commercial plans: Microsoft 365 Apps for enterprise G includes the Office mobile apps"),
    ("SHAREPOINTENTERPRISE_GOV", "SharePoint Plan 1G",
     "SharePoint Plan 2G is Plan 2 for government clouds, which includes every Plan 1 feature "
     "(the names carry no tier word the family rule reads)"),
    ("OFFICE_BUSINESS", "OFFICEMOBILE_SUBSCRIPTION",
     "Microsoft 365 Apps for business includes the Office mobile apps"),
    ("INTUNE_A", "INTUNE_SMBIZ",
     "Microsoft Intune Plan 1 is the full service; \"Microsoft Intune\" (SMBIZ) is its business edition"),
    ("INTUNE_A", "INTUNE_O365",
     "Microsoft Intune Plan 1 includes Basic Mobility and Security (Mobile Device Management for Office 365)"),
    ("AAD_PREMIUM", "AAD_SMB",
     "Microsoft Entra ID P1 includes the Entra ID features of Microsoft 365 Business Premium"),
    ("AAD_PREMIUM", "AAD_BASIC", "Microsoft Entra ID P1 includes Entra ID Basic"),
    ("AAD_PREMIUM_P2", "AAD_PREMIUM", "Microsoft Entra ID P2 includes every P1 feature"),
    ("WIN10_PRO_ENT_SUB", "WINBIZ",
     "Windows 10/11 Enterprise E3 includes the Windows Business upgrade rights"),
    ("WIN10_PRO_ENT_SUB", "WIN10_ENT_LOC_F1",
     "Windows 10/11 Enterprise (Original) includes Windows 10 Enterprise E3 (Local Only)"),
    ("MCOSTANDARD", "MCOIMP",
     "Skype for Business Online (Plan 2) includes every Plan 1 feature"),
    ("THREAT_INTELLIGENCE", "ATP_ENTERPRISE",
     "Microsoft Defender for Office 365 (Plan 2) includes Plan 1"),
    ("RMS_S_ENTERPRISE", "RMS_S_BASIC",
     "Azure Rights Management (enterprise) includes the basic Rights Management service"),
    ("RMS_S_PREMIUM2", "RMS_S_PREMIUM",
     "Azure Information Protection Premium P2 includes P1"),
    ("MIP_S_CLP2", "MIP_S_CLP1",
     "Information Protection for Office 365 - Premium includes - Standard"),
    ("Content_Explorer", "ContentExplorer_Standard",
     "Information Protection and Governance Analytics - Premium includes - Standard"),
    ("ADALLOM_S_STANDALONE", "ADALLOM_S_DISCOVERY",
     "Microsoft Defender for Cloud Apps includes Cloud App Discovery"),
    ("WINDEFATP", "MDE_SMB",
     "Compare Microsoft endpoint security plans: Defender for Business brings a subset of "
     "Defender for Endpoint Plan 2's capabilities to small and medium businesses"),
    ("EXCHANGE_ANALYTICS", "MYANALYTICS_P2",
     "Microsoft MyAnalytics (Full) is the full edition of MyAnalytics; Insights by MyAnalytics "
     "its personal-insights edition"),
    ("EXCHANGE_ANALYTICS_GOV", "MYANALYTICS_P2_GOV",
     "as for the commercial plans: MyAnalytics (Full) includes Insights by MyAnalytics"),
    ("WINDEFATP", "MDE_LITE",
     "Microsoft Defender for Endpoint (Plan 2) includes Plan 1"),
    ("KAIZALA_STANDALONE", "KAIZALA_O365_P3",
     "Microsoft Kaizala Pro (standalone) is the full Kaizala Pro service"),
    ("BI_AZURE_P3", "BI_AZURE_P2", "Power BI Premium Per User includes every Power BI Pro feature"),
]

# ---------------------------------------------------------------------------------------------
# Add-on prerequisites Microsoft documents: (plan, plans of which one must be enabled, source).
# The alternatives are widened below to every plan that covers one of them.
DEPENDENCIES = [
    ("WORKPLACE_ANALYTICS", ["EXCHANGE_S_STANDARD", "EXCHANGE_S_ENTERPRISE"],
     "Manage licenses for products with prerequisites (licensing-group-advanced): Workplace "
     "Analytics needs Exchange Online (Plan 1) or (Plan 2)"),
    ("MCOMEETADV", ["MCOSTANDARD"],
     "Microsoft Teams add-on licensing: Audio Conferencing needs Microsoft Teams / Skype for "
     "Business Online (Plan 2)"),
    ("MCOEV", ["MCOSTANDARD"],
     "Microsoft Teams add-on licensing: Phone System needs Microsoft Teams / Skype for Business "
     "Online (Plan 2)"),
    ("EXCHANGE_S_ARCHIVE_ADDON", ["EXCHANGE_S_DESKLESS", "EXCHANGE_S_STANDARD", "EXCHANGE_S_ENTERPRISE"],
     "Exchange Online Archiving service description: the add-on archives an Exchange Online mailbox"),
    ("SHAREPOINT_PROJECT", ["SHAREPOINTSTANDARD", "SHAREPOINTENTERPRISE"],
     "Project Online service description: Project Online runs on SharePoint Online"),
]


# Questions Microsoft's tables leave open, with the answer the catalog takes (for the review page).
UNDECIDED = [
    "**Rows that look incomplete.** Some products list fewer plans than Microsoft sells them with "
    "(Project Online Premium / Plan 5 lists four plans and no Project P3; Office 365 E5 lacks "
    "newer plans E3 has, such as Nucleus or Avatars for Teams). The catalog does not guess: a plan "
    "the target's row lacks is reported lost. A real tenant's subscribedSkus list the plans its "
    "products hold, and the planner uses those, so the question only matters for the matrix.",
    "**Tier of plans a product holds above its class.** Microsoft's table gives Microsoft 365 "
    "Business Premium the E5 tier (`_P3`) of Project for the web, Dataverse for Teams and Power "
    "Virtual Agents, and Microsoft 365 E3 their E3 tier: by the tier rule these are losses on "
    "Business Premium -> E3, and they are reported.",
    "**Equal tiers with different names** (`STREAM_O365_SMB` and `STREAM_O365_E1`, both "
    "'Stream for Office 365' at the E1 level) cover each other.",
    "**Plans with the same name and two ids** (`PROJECT_ESSENTIALS`) or the same id and two names "
    "are kept as Microsoft lists them; rules apply by name.",
    "**Exclusions beyond the table.** Microsoft lists 'the most common' exclusions only; a pair "
    "missing is not proof that Graph accepts it. The planner predicts the listed ones and reports "
    "Graph's MutuallyExclusiveViolation for the rest.",
    "**Government, education and other cloud editions** (`_GOV`, `_EDU`, `_GCCHIGH`) are families "
    "of their own: they never cover commercial plans or each other unless a reviewed relation says "
    "so.",
]


def rust_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def clean(s):
    return " ".join(s.split())


def best(counter):
    """The most frequent spelling; ties and all-caps variants lose to mixed case."""
    return max(counter.items(), key=lambda kv: (kv[1], not kv[0].isupper(), -len(kv[0])))[0]


def sku_ident(s):
    """SKU_<PART NUMBER>, with the skuId's first block when two SKUs share a part number."""
    base = "SKU_" + re.sub(r"[^A-Za-z0-9]", "_", s["part"]).upper()
    return base if not s.get("dup") else base + "_" + s["id"][:8].upper()


def load(plans_csv, exclusions_csv):
    with open(plans_csv, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    skus = collections.OrderedDict()
    plan_names = collections.defaultdict(collections.Counter)
    plan_friendly = collections.defaultdict(collections.Counter)
    for r in rows:
        part = r["String_Id"].strip()
        sid = r["GUID"].strip().lower()
        pid = r["Service_Plan_Id"].strip().lower()
        pname = r["Service_Plan_Name"].strip()
        # Keyed by skuId: one part number (MCOPSTN5) has two skuIds in Microsoft's table.
        sku = skus.setdefault(sid, {"id": sid, "part": part, "names": collections.Counter(), "plans": []})
        if sku["part"] != part:
            sys.exit(f"skuId {sid} has two part numbers: {sku['part']} and {part}")
        sku["names"][clean(r["Product_Display_Name"])] += 1
        plan_names[pid][pname] += 1
        plan_friendly[pid][clean(r["Service_Plans_Included_Friendly_Names"])] += 1
        if pid not in sku["plans"]:
            sku["plans"].append(pid)
    parts = collections.Counter(s["part"] for s in skus.values())
    for s in skus.values():
        s["dup"] = parts[s["part"]] > 1
    plans = {pid: {"id": pid, "name": best(plan_names[pid]), "friendly": best(plan_friendly[pid])}
             for pid in plan_names}
    with open(exclusions_csv, encoding="utf-8-sig", newline="") as f:
        exclusions = [{k: v.strip() for k, v in r.items()} for r in csv.DictReader(f)]
    return rows, skus, plans, exclusions


def derive(plans):
    """Families, tiers and the closed cover relation, by plan name."""
    by_name = {}
    for p in plans.values():
        by_name.setdefault(p["name"].upper(), p)
    fam_members = collections.defaultdict(list)
    for p in plans.values():
        stem, tier = family_of(p["name"], p["friendly"])
        p["stem"], p["tier"] = stem, tier
        if stem:
            fam_members[stem].append(p)
    families = sorted(s for s, m in fam_members.items() if len({q["name"].upper() for q in m}) > 1)
    fam_index = {s: i + 1 for i, s in enumerate(families)}
    for p in plans.values():
        p["family"] = fam_index.get(p["stem"], 0)
        if not p["family"]:
            p["tier"] = 0
    # Direct edges: coverer name -> covered names.
    edges = collections.defaultdict(set)
    for stem in families:
        for a in fam_members[stem]:
            for b in fam_members[stem]:
                if a["name"].upper() != b["name"].upper() and a["tier"] >= b["tier"]:
                    edges[a["name"].upper()].add(b["name"].upper())
    for by, covered, _why in COVERS:
        if by.upper() not in by_name or covered.upper() not in by_name:
            sys.exit(f"COVERS names a plan not in the table: {by} / {covered}")
        edges[by.upper()].add(covered.upper())
    # covered_by[x] = every plan that reaches x.
    covered_by = collections.defaultdict(set)
    for start in list(edges):
        seen, todo = set(), [start]
        while todo:
            n = todo.pop()
            for m in edges.get(n, ()):
                if m not in seen:
                    seen.add(m)
                    todo.append(m)
        for m in seen:
            if m != start:
                covered_by[m].add(start)
    return by_name, families, fam_members, covered_by


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--plans", default=DEFAULT_PLANS)
    ap.add_argument("--exclusions", default=DEFAULT_EXCLUSIONS)
    args = ap.parse_args()
    rows, skus, plans, exclusions = load(args.plans, args.exclusions)
    by_name, families, fam_members, covered_by = derive(plans)

    canon = {n: p["name"] for n, p in by_name.items()}  # upper -> Microsoft's spelling
    for e in exclusions:
        if e["service_plan_name"].upper() not in by_name:
            print(f"note: exclusion plan {e['service_plan_name']} is not in the licensing table",
                  file=sys.stderr)
    deps = []
    for plan, alts, why in DEPENDENCIES:
        if plan.upper() not in by_name:
            sys.exit(f"DEPENDENCIES names a plan not in the table: {plan}")
        wide = set()
        for a in alts:
            if a.upper() not in by_name:
                sys.exit(f"DEPENDENCIES names a plan not in the table: {a}")
            wide.add(a.upper())
            wide |= covered_by.get(a.upper(), set())
        deps.append((canon[plan.upper()], sorted(canon[w] for w in wide), why))

    plan_list = sorted(plans.values(), key=lambda p: p["id"])
    write_data(skus, plan_list, families, covered_by, canon, by_name)
    write_rules(exclusions, deps, by_name)
    write_names(skus)
    write_family_doc(families, fam_members, covered_by, canon, deps, exclusions)
    print(f"catalog: {len(skus)} SKUs, {len(plans)} service plans (ids), {len(rows)} rows; "
          f"{len(families)} families; {sum(len(v) for v in covered_by.values())} cover pairs; "
          f"{len(exclusions)} exclusion rows; {len(deps)} dependencies")


HEADER = [
    "// @generated by crates/core/data/gen_catalog.py from crates/core/data/reference/ -- do not edit.",
    "//",
    "// Every id and name below is copied from Microsoft's \"Product names and service plan identifiers",
    f"// for licensing\" table ({SOURCE_URL}),",
    "// copy dated 2025-12-30; provenance in crates/core/data/reference/README.md.",
]


def write_data(skus, plan_list, families, covered_by, canon, by_name):
    out = list(HEADER)
    out.append("// Plans are sorted by servicePlanId; families and covers: gen_catalog.py, docs/catalog-families.md.")
    out.append("use super::{PlanDef, SkuDef};")
    out.append("")
    pid_ident = {}
    for p in plan_list:
        pid_ident[p["id"]] = "P" + p["id"].replace("-", "_").upper()
    for p in plan_list:
        cov = sorted(canon[c] for c in covered_by.get(p["name"].upper(), ()))
        cov_s = "&[" + ", ".join(rust_str(c) for c in cov) + "]"
        out.append(
            f"pub(super) static {pid_ident[p['id']]}: PlanDef = PlanDef {{ id: {rust_str(p['id'])}, "
            f"name: {rust_str(p['name'])}, friendly: {rust_str(p['friendly'])}, family: {p['family']}, "
            f"tier: {p['tier']}, covered_by: {cov_s} }};")
    out.append("")
    out.append("/// Every service plan, sorted by servicePlanId (binary search).")
    out.append("pub(super) static PLANS: &[&PlanDef] = &[")
    for p in plan_list:
        out.append(f"    &{pid_ident[p['id']]},")
    out.append("];")
    out.append("")
    name_order = sorted(range(len(plan_list)), key=lambda i: (plan_list[i]["name"].upper(), plan_list[i]["id"]))
    out.append("/// Indices into PLANS sorted by servicePlanName, ASCII-uppercased (binary search).")
    out.append("pub(super) static PLANS_BY_NAME: &[u16] = &[")
    for chunk in range(0, len(name_order), 20):
        out.append("    " + ", ".join(str(i) for i in name_order[chunk:chunk + 20]) + ",")
    out.append("];")
    out.append("")
    out.append("/// Service families (plan names with the tier word as `*`), index - 1 = PlanDef::family.")
    out.append("pub(super) static FAMILIES: &[&str] = &[")
    for f in families:
        out.append(f"    {rust_str(f)},")
    out.append("];")
    out.append("")
    sku_list = sorted(skus.items(), key=lambda kv: kv[1]["id"])
    for _, s in sku_list:
        part = s["part"]
        name = best(s["names"])
        plans_s = ", ".join("&" + pid_ident[pid] for pid in s["plans"])
        out.append(f"pub static {sku_ident(s)}: SkuDef = SkuDef {{ sku_id: {rust_str(s['id'])}, "
                   f"part_number: {rust_str(part)}, name: {rust_str(name)}, plans: &[{plans_s}] }};")
    out.append("")
    out.append("/// Every SKU, sorted by skuId (binary search).")
    out.append("pub(super) static SKUS: &[&SkuDef] = &[")
    for _, s in sku_list:
        out.append(f"    &{sku_ident(s)},")
    out.append("];")
    out.append("")
    part_order = sorted(range(len(sku_list)), key=lambda i: (sku_list[i][1]["part"].upper(), sku_list[i][1]["id"]))
    out.append("/// Indices into SKUS sorted by skuPartNumber, ASCII-uppercased (binary search).")
    out.append("pub(super) static SKUS_BY_PART: &[u16] = &[")
    for chunk in range(0, len(part_order), 20):
        out.append("    " + ", ".join(str(i) for i in part_order[chunk:chunk + 20]) + ",")
    out.append("];")
    with open(os.path.join(CATALOG, "data.rs"), "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")


def write_rules(exclusions, deps, by_name):
    out = list(HEADER)
    out.append("// Exclusions: service-plan-exclusions.csv (\"Service plans that cannot be assigned at the same")
    out.append("// time\"); dependencies: DEPENDENCIES in gen_catalog.py, each with its source.")
    out.append("")
    out.append("/// (exclusion_group, servicePlanName, servicePlanId): plans of one group cannot be enabled")
    out.append("/// together on one user (Graph: MutuallyExclusiveViolation).")
    out.append("pub(super) static EXCLUSIONS: &[(&str, &str, &str)] = &[")
    for e in exclusions:
        out.append(f"    ({rust_str(e['exclusion_group'])}, {rust_str(e['service_plan_name'])}, "
                   f"{rust_str(e['service_plan_id'].lower())}),")
    out.append("];")
    out.append("")
    out.append("/// (plan, plans of which one must be enabled on the same user, widened to every plan that")
    out.append("/// covers one of them). Graph: DependencyViolation.")
    out.append("pub(super) static DEPENDENCIES: &[(&str, &[&str])] = &[")
    for plan, alts, why in deps:
        out.append(f"    // {why}.")
        out.append(f"    ({rust_str(plan)}, &[" + ", ".join(rust_str(a) for a in alts) + "]),")
    out.append("];")
    with open(os.path.join(CATALOG, "rules_data.rs"), "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")


def write_names(skus):
    first = {}  # of two skuIds with one part number, the lower (as catalog::sku finds it)
    for s in sorted(skus.values(), key=lambda s: s["id"]):
        first.setdefault(s["part"].upper(), best(s["names"]))
    items = sorted(first.items())
    blob = "".join(f"{p}\t{n}\n" for p, n in items)
    out = list(HEADER)
    out.append("")
    out.append("/// `SKUPARTNUMBER\\tProduct name\\n` lines sorted by part number (uppercased): the overview's")
    out.append("/// product names without the rest of the catalog.")
    out.append("pub(super) static SKU_NAMES: &str = " + rust_str(blob) + ";")
    with open(os.path.join(CATALOG, "names_data.rs"), "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")


def write_family_doc(families, fam_members, covered_by, canon, deps, exclusions):
    os.makedirs(DOCS, exist_ok=True)
    out = ["# Service families, tiers and cover relations", "",
           "Generated by `crates/core/data/gen_catalog.py` from Microsoft's licensing table "
           f"([reference]({SOURCE_URL}), copy in `crates/core/data/reference/`). Do not edit by hand.", "",
           "A plan covers another (provides its service, so losing the other is no loss) when:", "",
           "1. both are the same plan (same servicePlanId or servicePlanName); or",
           "2. both are in the same **family** (the plan name with its tier word replaced by `*`) and "
           "its **tier** is the same or higher; or",
           "3. a **reviewed cross-family relation** below says so (or a chain of them and of rule 2).", "",
           "Tier words: " + ", ".join(f"`{w}` = {TIER_NAMES[t]}" for w, t in sorted(TIER_WORDS.items(), key=lambda kv: (kv[1], kv[0]))) + ".",
           "Plans whose name has no tier word, or whose family has one member, are their own family: "
           "only the same plan or a reviewed relation covers them.", "",
           "## Reviewed cross-family relations", "", "| Covers | Covered | Rests on |", "| --- | --- | --- |"]
    for by, covered, why in COVERS:
        out.append(f"| `{by}` | `{covered}` | {why} |")
    out += ["", "## What the data cannot decide, and the choice made", ""] + [f"- {q}" for q in UNDECIDED]
    out += ["", "## Add-on prerequisites", "", "| Plan | Needs one of (widened by coverage) | Source |", "| --- | --- | --- |"]
    for plan, alts, why in deps:
        out.append(f"| `{plan}` | " + ", ".join(f"`{a}`" for a in alts) + f" | {why} |")
    out += ["", "## Exclusion groups (Microsoft's table)", "", "| Group | Plans |", "| --- | --- |"]
    groups = collections.OrderedDict()
    for e in exclusions:
        groups.setdefault(e["exclusion_group"], []).append(e["service_plan_name"])
    for g, ps in groups.items():
        out.append(f"| {g} | " + ", ".join(f"`{p}`" for p in ps) + " |")
    out += ["", f"## Families ({len(families)})", "", "| Family | Members, lowest tier first (friendly name) |", "| --- | --- |"]
    for stem in families:
        members = sorted(fam_members[stem], key=lambda p: (p["tier"], p["name"]))
        out.append(f"| `{stem}` | " + "; ".join(f"`{p['name']}` (tier {p['tier']}, {p['friendly']})" for p in members) + " |")
    with open(os.path.join(DOCS, "catalog-families.md"), "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
