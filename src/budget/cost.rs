//! Media cost models (CPM, CPC, CPA) from spend to volume and back, and the money
//! ratios of a campaign review: ROI, ROAS, CAC, cost per order, break-even points.
//!
//! Sizing media from a visitor target (`media(visitors, #{ ctr, cpm })`) is the funnel
//! module's job (`crate::funnel::media`); this file covers the other directions: what
//! a given spend buys under each pricing model, the spend a volume of the priced unit
//! needs, and whether the economics break even.
//!
//! Definitions follow the usual advertising glossary (IAB; Google Ads help "CPM",
//! "CPC", "CPA", "ROAS"): CPM is the price of 1,000 impressions, CPC of one click, CPA
//! of one action (order, sign-up). ROI is profit over cost, `(revenue - cost) / cost`;
//! ROAS is revenue over cost. The handbook's "ROI 1:2.2" is revenue over cost, that is
//! ROAS in the glossary's terms; `render::format_kind(x, Kind::Ratio)` prints either
//! number in that style (`1:2.2`).

use super::error::{finite, non_negative, positive, BudgetError};
use crate::units::Rate;

/// How media is priced: the price of one unit of the bought volume.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Pricing {
    /// Price per 1,000 impressions.
    Cpm(f64),
    /// Price per click.
    Cpc(f64),
    /// Price per action (conversion: order, sign-up, install).
    Cpa(f64),
}

impl Pricing {
    /// Builds a pricing model from its name (`cpm`, `cpc`, `cpa`, any case) and a
    /// positive price.
    pub fn new(model: &str, price: f64) -> Result<Pricing, BudgetError> {
        let price = positive(&format!("{} price", model.to_lowercase()), price)?;
        match model.to_ascii_lowercase().as_str() {
            "cpm" => Ok(Pricing::Cpm(price)),
            "cpc" => Ok(Pricing::Cpc(price)),
            "cpa" => Ok(Pricing::Cpa(price)),
            other => Err(BudgetError::Invalid(format!(
                "unknown pricing model '{other}' (expected cpm, cpc or cpa)"
            ))),
        }
    }

    /// The unit the price buys: `impressions`, `clicks` or `actions`.
    pub fn unit(self) -> &'static str {
        match self {
            Pricing::Cpm(_) => "impressions",
            Pricing::Cpc(_) => "clicks",
            Pricing::Cpa(_) => "actions",
        }
    }

    /// The cost of one unit of volume (CPM is divided by 1,000).
    fn unit_price(self) -> f64 {
        match self {
            Pricing::Cpm(p) => p / 1000.0,
            Pricing::Cpc(p) | Pricing::Cpa(p) => p,
        }
    }
}

/// The spend that buys `volume` units of the priced unit: `volume x price` (CPM:
/// `impressions / 1000 x cpm`). Example: 833,333.3 impressions at CPM 50 cost 41,666.7.
pub fn spend_for_volume(pricing: Pricing, volume: f64) -> Result<f64, BudgetError> {
    let volume = non_negative(&format!("volume ({})", pricing.unit()), volume)?;
    finite(
        "spend",
        &format!("{} x price", pricing.unit()),
        volume * pricing.unit_price(),
    )
}

/// The volume of the priced unit that `spend` buys: `spend / price` (CPM:
/// `spend / cpm x 1000` impressions).
pub fn volume_for_spend(pricing: Pricing, spend: f64) -> Result<f64, BudgetError> {
    let spend = non_negative("spend", spend)?;
    finite("volume", "spend / price", spend / pricing.unit_price())
}

/// What a spend delivers down the funnel. Stages that need a rate that was not given
/// are `None`.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Delivery {
    /// The spend.
    pub cost: f64,
    /// Impressions served.
    pub impressions: Option<f64>,
    /// Clicks (visits).
    pub clicks: Option<f64>,
    /// Actions (conversions).
    pub actions: Option<f64>,
}

/// Rates linking the stages of [`Delivery`].
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct DeliveryOptions {
    /// Click-through rate: clicks per impression.
    pub ctr: Option<Rate>,
    /// Conversion rate: actions per click.
    pub cvr: Option<Rate>,
}

/// Spend to volume under a pricing model: the priced unit is `spend / price`, and the
/// other stages follow from `clicks = impressions x ctr`, `actions = clicks x cvr`
/// (and their inverses for stages above the priced one). A rate of zero cannot be
/// inverted, so stages above it are `None`.
pub fn delivery(
    spend: f64,
    pricing: Pricing,
    options: &DeliveryOptions,
) -> Result<Delivery, BudgetError> {
    let bought = volume_for_spend(pricing, spend)?;
    let ctr = options.ctr.map(Rate::get);
    let cvr = options.cvr.map(Rate::get);
    let up = |v: Option<f64>, r: Option<f64>| match (v, r) {
        (Some(v), Some(r)) if r > 0.0 => Some(v / r),
        _ => None,
    };
    let down = |v: Option<f64>, r: Option<f64>| v.zip(r).map(|(v, r)| v * r);
    let (impressions, clicks, actions) = match pricing {
        Pricing::Cpm(_) => {
            let clicks = down(Some(bought), ctr);
            (Some(bought), clicks, down(clicks, cvr))
        }
        Pricing::Cpc(_) => (up(Some(bought), ctr), Some(bought), down(Some(bought), cvr)),
        Pricing::Cpa(_) => {
            let clicks = up(Some(bought), cvr);
            (up(clicks, ctr), clicks, Some(bought))
        }
    };
    Ok(Delivery {
        cost: spend,
        impressions,
        clicks,
        actions,
    })
}

/// Return on investment, `(revenue - cost) / cost`: profit per unit of spend.
/// Pass gross profit instead of revenue to get the return on margin.
pub fn roi(revenue: f64, cost: f64) -> Result<f64, BudgetError> {
    let revenue = non_negative("roi: revenue", revenue)?;
    let cost = positive("roi: cost", cost)?;
    finite("roi", "(revenue - cost) / cost", (revenue - cost) / cost)
}

/// Return on ad spend, `revenue / cost` (the handbook's "ROI 1:2.2" is this number, 2.2).
pub fn roas(revenue: f64, cost: f64) -> Result<f64, BudgetError> {
    let revenue = non_negative("roas: revenue", revenue)?;
    let cost = positive("roas: cost", cost)?;
    finite("roas", "revenue / cost", revenue / cost)
}

/// Customer acquisition cost, `cost / new customers`.
pub fn cac(cost: f64, customers: f64) -> Result<f64, BudgetError> {
    let cost = non_negative("cac: cost", cost)?;
    let customers = positive("cac: customers", customers)?;
    finite("cac", "cost / customers", cost / customers)
}

/// Cost per order, `cost / orders` (CPA measured after the fact).
pub fn cost_per_order(cost: f64, orders: f64) -> Result<f64, BudgetError> {
    let cost = non_negative("cost_per_order: cost", cost)?;
    let orders = positive("cost_per_order: orders", orders)?;
    finite("cost_per_order", "cost / orders", cost / orders)
}

/// The conversion rate at which a click pays for itself:
/// `cpc / (average order value x margin)`, where `margin` is gross profit over revenue.
/// Below it each click loses money. A value above 1 means no conversion rate breaks even.
pub fn break_even_cvr(cpc: f64, order_value: f64, margin: Rate) -> Result<f64, BudgetError> {
    let cpc = non_negative("break_even_cvr: cpc", cpc)?;
    let order_value = positive("break_even_cvr: order_value", order_value)?;
    let m = positive("break_even_cvr: margin", margin.get())?;
    finite(
        "break_even_cvr",
        "cpc / (order_value x margin)",
        cpc / (order_value * m),
    )
}

/// The highest CPM that still breaks even: the gross profit that 1,000 impressions earn,
/// `1000 x ctr x cvr x average order value x margin`.
pub fn break_even_cpm(
    ctr: Rate,
    cvr: Rate,
    order_value: f64,
    margin: Rate,
) -> Result<f64, BudgetError> {
    let order_value = non_negative("break_even_cpm: order_value", order_value)?;
    finite(
        "break_even_cpm",
        "1000 x ctr x cvr x order_value x margin",
        1000.0 * ctr.get() * cvr.get() * order_value * margin.get(),
    )
}

/// The highest CPC that still breaks even: `cvr x average order value x margin`.
pub fn break_even_cpc(cvr: Rate, order_value: f64, margin: Rate) -> Result<f64, BudgetError> {
    let order_value = non_negative("break_even_cpc: order_value", order_value)?;
    finite(
        "break_even_cpc",
        "cvr x order_value x margin",
        cvr.get() * order_value * margin.get(),
    )
}

/// The ROAS at which spend breaks even for a gross margin: `1 / margin`
/// (a 40% margin needs ROAS 2.5, written 1:2.5).
pub fn break_even_roas(margin: Rate) -> Result<f64, BudgetError> {
    let m = positive("break_even_roas: margin", margin.get())?;
    finite("break_even_roas", "1 / margin", 1.0 / m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overflowing_ratios_are_errors_naming_the_formula() {
        let e = roas(1e308, 0.5).unwrap_err().to_string();
        assert!(
            e.starts_with("roas: revenue / cost must be a finite number"),
            "{e}"
        );
        assert!(cac(0.5, 4.9e-324).is_err());
        assert!(cost_per_order(100.0, 4.9e-324).is_err());
        assert!(break_even_roas(rate(4.9e-324)).is_err());
        let e = spend_for_volume(Pricing::Cpc(1e308), 10.0)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("spend: clicks x price must be a finite number"),
            "{e}"
        );
        assert_eq!(roas(220.0, 100.0).unwrap(), 2.2);
    }

    fn rate(x: f64) -> Rate {
        Rate::new(x, "test").unwrap()
    }

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * b.abs().max(1.0)
    }

    /// docs/handbook.md, the funnel: 25,000 visitors at CTR 3% need 833,333 impressions, which
    /// cost 41,667 at CPM 50 (the handbook's "about 40,000").
    #[test]
    fn handbook_media_figures() {
        let impressions = 25_000.0 / 0.03;
        let cost = spend_for_volume(Pricing::Cpm(50.0), impressions).unwrap();
        assert!(close(impressions, 833_333.333, 1e-9));
        assert!(close(cost, 41_666.667, 1e-8));
        // And back: 41,666.67 at CPM 50 and CTR 3% yields 25,000 clicks.
        let d = delivery(
            cost,
            Pricing::Cpm(50.0),
            &DeliveryOptions {
                ctr: Some(rate(0.03)),
                cvr: None,
            },
        )
        .unwrap();
        assert!(close(d.impressions.unwrap(), 833_333.333, 1e-9));
        assert!(close(d.clicks.unwrap(), 25_000.0, 1e-12));
        assert_eq!(d.actions, None);
    }

    #[test]
    fn cpc_and_cpa_delivery_chain() {
        let opts = DeliveryOptions {
            ctr: Some(rate(0.02)),
            cvr: Some(rate(0.05)),
        };
        let d = delivery(1000.0, Pricing::Cpc(2.0), &opts).unwrap();
        assert_eq!(d.clicks, Some(500.0));
        assert!(close(d.impressions.unwrap(), 25_000.0, 1e-12));
        assert!(close(d.actions.unwrap(), 25.0, 1e-12));
        let d = delivery(1000.0, Pricing::Cpa(40.0), &opts).unwrap();
        assert_eq!(d.actions, Some(25.0));
        assert!(close(d.clicks.unwrap(), 500.0, 1e-12));
        assert!(close(d.impressions.unwrap(), 25_000.0, 1e-12));
        // A zero rate cannot be inverted.
        let zero = DeliveryOptions {
            ctr: Some(rate(0.0)),
            cvr: None,
        };
        assert_eq!(
            delivery(10.0, Pricing::Cpc(1.0), &zero)
                .unwrap()
                .impressions,
            None
        );
        assert!(close(
            volume_for_spend(Pricing::Cpa(40.0), 1000.0).unwrap(),
            25.0,
            1e-12
        ));
    }

    #[test]
    fn pricing_names_and_errors() {
        assert_eq!(Pricing::new("CPM", 50.0), Ok(Pricing::Cpm(50.0)));
        let e = Pricing::new("cpv", 1.0).unwrap_err().to_string();
        assert!(e.contains("cpm, cpc or cpa"), "{e}");
        let e = Pricing::new("cpc", -1.0).unwrap_err().to_string();
        assert!(e.contains("cpc price must be a positive number"), "{e}");
        assert!(spend_for_volume(Pricing::Cpc(1.0), -5.0).is_err());
    }

    /// The review template of docs/handbook.md, the review: sales 1,600,000 on cost 720,000
    /// (72 in units of 10k) is a ROAS of 2.22, printed 1:2.22.
    #[test]
    fn returns_and_ratios() {
        let r = roas(1_600_000.0, 720_000.0).unwrap();
        assert!(close(r, 2.2222222, 1e-6));
        assert!(close(roas(2_200.0, 1_000.0).unwrap(), 2.2, 1e-12));
        assert!(close(roi(1_600_000.0, 720_000.0).unwrap(), 1.2222222, 1e-6));
        assert!(close(cac(720_000.0, 8_000.0).unwrap(), 90.0, 1e-12));
        assert!(close(cost_per_order(1000.0, 40.0).unwrap(), 25.0, 1e-12));
        let e = cac(100.0, 0.0).unwrap_err().to_string();
        assert!(
            e.contains("cac: customers must be a positive number"),
            "{e}"
        );
    }

    /// Break-even identities: at the break-even CVR the gross profit per click equals
    /// the CPC; at the break-even CPM the profit of 1,000 impressions equals the CPM.
    #[test]
    fn break_even_points() {
        // CPC 1.8, AOV 150, margin 40%: 1.8 / 60 = 3%.
        let cvr = break_even_cvr(1.8, 150.0, rate(0.4)).unwrap();
        assert!(close(cvr, 0.03, 1e-12));
        assert!(close(
            break_even_cpc(rate(cvr), 150.0, rate(0.4)).unwrap(),
            1.8,
            1e-12
        ));
        // CTR 3%, CVR 2%, AOV 150, margin 40%: 1000 x 0.03 x 0.02 x 60 = 36.
        let cpm = break_even_cpm(rate(0.03), rate(0.02), 150.0, rate(0.4)).unwrap();
        assert!(close(cpm, 36.0, 1e-12));
        assert!(close(break_even_roas(rate(0.4)).unwrap(), 2.5, 1e-12));
        assert!(break_even_roas(rate(0.0)).is_err());
    }
}
