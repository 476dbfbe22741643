//! The request's two sides resolved to the snapshot's SKUs: the sources (one, or a bundle such as
//! Office 365 E3 + Enterprise Mobility + Security E3) and the targets, with each SKU's role, so the
//! evaluation asks "is this license a source, a target, or one that stays" with one lookup.
use super::resolve::Indexes;
use licswap_core::plan::{PlanError, SkuList};

/// At most this many SKUs per side (roles are kept in `u32` masks).
pub(crate) const MAX_SIDE: usize = 32;

pub(crate) struct Sides {
    /// SKU indices, in the request's order.
    pub srcs: Vec<usize>,
    pub tgts: Vec<usize>,
    /// Per snapshot SKU: its position among the sources / targets.
    src_pos: Vec<Option<u8>>,
    tgt_pos: Vec<Option<u8>>,
    /// skuPartNumbers joined with " + " (for messages).
    pub src_label: String,
    pub tgt_label: String,
}

impl Sides {
    pub fn new(t: &Indexes<'_>, source: &SkuList, target: &SkuList) -> Result<Self, PlanError> {
        let srcs = side(t, source, "source")?;
        let tgts = side(t, target, "target")?;
        if let Some(&k) = srcs.iter().find(|k| tgts.contains(k)) {
            return Err(PlanError::SameSku(t.skus[k].label().to_string()));
        }
        let mut src_pos = vec![None; t.skus.len()];
        let mut tgt_pos = vec![None; t.skus.len()];
        srcs.iter().enumerate().for_each(|(i, &k)| src_pos[k] = Some(i as u8));
        tgts.iter().enumerate().for_each(|(i, &k)| tgt_pos[k] = Some(i as u8));
        let label = |ks: &[usize]| ks.iter().map(|&k| t.skus[k].label()).collect::<Vec<_>>().join(" + ");
        Ok(Sides { src_label: label(&srcs), tgt_label: label(&tgts), srcs, tgts, src_pos, tgt_pos })
    }

    /// Position of SKU `k` among the sources.
    #[inline]
    pub fn src(&self, k: usize) -> Option<usize> {
        self.src_pos[k].map(usize::from)
    }

    /// Position of SKU `k` among the targets.
    #[inline]
    pub fn tgt(&self, k: usize) -> Option<usize> {
        self.tgt_pos[k].map(usize::from)
    }

    pub fn all_tgts(&self) -> u32 {
        mask(self.tgts.len())
    }

    pub fn all_srcs(&self) -> u32 {
        mask(self.srcs.len())
    }

    pub fn is_bundle(&self) -> bool {
        self.srcs.len() > 1 || self.tgts.len() > 1
    }

    /// skuPartNumbers of the sources whose bits are set in `m`, joined with " + ".
    pub fn src_names(&self, t: &Indexes<'_>, m: u32) -> String {
        names(t, &self.srcs, m)
    }

    pub fn tgt_names(&self, t: &Indexes<'_>, m: u32) -> String {
        names(t, &self.tgts, m)
    }
}

fn mask(n: usize) -> u32 {
    if n >= 32 {
        u32::MAX
    } else {
        (1u32 << n) - 1
    }
}

fn names(t: &Indexes<'_>, ks: &[usize], m: u32) -> String {
    ks.iter()
        .enumerate()
        .filter(|(i, _)| m & (1 << i) != 0)
        .map(|(_, &k)| t.skus[k].label())
        .collect::<Vec<_>>()
        .join(" + ")
}

fn side(t: &Indexes<'_>, names: &SkuList, what: &str) -> Result<Vec<usize>, PlanError> {
    if names.is_empty() {
        return Err(PlanError::BadInput(format!("request: {what}: no SKU named")));
    }
    if names.len() > MAX_SIDE {
        return Err(PlanError::BadInput(format!(
            "request: {what}: {} SKUs named; at most {MAX_SIDE} are supported",
            names.len()
        )));
    }
    let mut out: Vec<usize> = Vec::with_capacity(names.len());
    for n in names {
        let k = t.find_sku(n).ok_or_else(|| PlanError::UnknownSku(n.clone()))?;
        if out.contains(&k) {
            return Err(PlanError::BadInput(format!(
                "request: {what}: {} is named twice (as {n} and by another name)",
                t.skus[k].label()
            )));
        }
        out.push(k);
    }
    Ok(out)
}
