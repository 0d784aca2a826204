//! Media sizing: the impressions and ad spend a visitor target needs (docs/handbook.md,
//! the funnel, "media sizing").
//!
//! Visitors are clicks on the ads, so `impressions = visitors / ctr`. The cost comes
//! from the budget domain's cost model ([`crate::budget::spend_for_volume`]): under CPM,
//! `impressions / 1000 x cpm`; under CPC, `visitors x cpc`.
//!
//! Handbook example: 25,000 visitors at a 3% CTR need 25,000 / 0.03 = 833,333.3
//! impressions; at a CPM of 50 they cost 833,333.3 / 1000 x 50 = 41,666.7.

use super::error::{non_negative, FunnelError};
use crate::budget::{spend_for_volume, Pricing};
use crate::units::Rate;

/// The media a visitor target needs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MediaPlan {
    /// The visitors (ad clicks) to buy.
    pub visitors: f64,
    /// The click-through rate used, if given.
    pub ctr: Option<Rate>,
    /// The impressions needed, `visitors / ctr` (`None` without a CTR).
    pub impressions: Option<f64>,
    /// How the media is priced (CPM or CPC).
    pub pricing: Pricing,
    /// The ad spend.
    pub cost: f64,
}

/// Sizes the media for `visitors` ad clicks: impressions `visitors / ctr` and the cost
/// under `pricing`. CPM pricing needs a CTR (the cost is per impression); CPC pricing
/// does not (the cost is `visitors x cpc`) but gives impressions when a CTR is given.
/// CPA pricing is refused: it prices conversions, not visitors (use `forward` and the
/// budget domain's `spend_for`). A CTR of 0 is refused (no number of impressions is
/// enough).
pub fn media(visitors: f64, ctr: Option<Rate>, pricing: Pricing) -> Result<MediaPlan, FunnelError> {
    let visitors = non_negative("media: visitors", visitors)?;
    if let Some(r) = ctr {
        if r.get() == 0.0 {
            return Err(FunnelError::OutOfRange(crate::units::RangeError {
                what: "media: ctr".to_string(),
                allowed: "above 0 (a CTR of 0 never turns impressions into visitors)".to_string(),
                value: 0.0,
            }));
        }
    }
    let impressions = ctr.map(|r| visitors / r.get());
    let cost = match pricing {
        Pricing::Cpm(_) => {
            let imp = impressions.ok_or_else(|| {
                FunnelError::Invalid(
                    "media: CPM pricing needs a click-through rate, like #{ ctr: 0.03, cpm: 50 }"
                        .to_string(),
                )
            })?;
            spend_for_volume(pricing, imp)?
        }
        Pricing::Cpc(_) => spend_for_volume(pricing, visitors)?,
        Pricing::Cpa(_) => {
            return Err(FunnelError::Invalid(
                "media: price the visitors with cpm or cpc; cpa prices conversions (use spend_for(conversions, #{ cpa }))"
                    .to_string(),
            ))
        }
    };
    Ok(MediaPlan {
        visitors,
        ctr,
        impressions,
        pricing,
        cost,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handbook_media_sizing() {
        // docs/handbook.md, the funnel: 25,000 / 0.03 / 1000 x 50 = 41,666.7
        let ctr = Rate::new(0.03, "ctr").unwrap();
        let m = media(25000.0, Some(ctr), Pricing::Cpm(50.0)).unwrap();
        let imp = m.impressions.unwrap();
        assert!((imp - 2_500_000.0 / 3.0).abs() < 1e-6, "{imp}");
        assert_eq!(format!("{imp:.1}"), "833333.3");
        assert_eq!(format!("{:.1}", m.cost), "41666.7");
        assert!((m.cost - 125_000.0 / 3.0).abs() < 1e-6);
    }

    #[test]
    fn cpc_pricing() {
        let m = media(25000.0, None, Pricing::Cpc(1.2)).unwrap();
        assert_eq!(m.impressions, None);
        assert!((m.cost - 30000.0).abs() < 1e-9);
        let ctr = Rate::new(0.02, "ctr").unwrap();
        let m = media(25000.0, Some(ctr), Pricing::Cpc(1.2)).unwrap();
        assert!((m.impressions.unwrap() - 1_250_000.0).abs() < 1e-6);
    }

    #[test]
    fn bad_media_input() {
        let zero = Rate::new(0.0, "ctr").unwrap();
        assert!(media(100.0, Some(zero), Pricing::Cpm(50.0)).is_err());
        let e = media(100.0, None, Pricing::Cpm(50.0))
            .unwrap_err()
            .to_string();
        assert!(e.contains("needs a click-through rate"), "{e}");
        assert!(media(-1.0, None, Pricing::Cpc(1.0)).is_err());
        assert!(media(1.0, None, Pricing::Cpa(1.0)).is_err());
    }
}
