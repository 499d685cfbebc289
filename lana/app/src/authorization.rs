//! The bank's permission sets and predefined roles, seeded at every start.
//!
//! Objects are `<area>/<id or *>`, actions `<area>:<verb>`. A writer set includes reading. Roles
//! created at run time combine these sets; the predefined ones are restored to this declaration at
//! each start.

use authz::{PermissionSetDef, RoleDef};

macro_rules! area_sets {
    ($viewer:literal, $writer:literal, $object:literal, $read:literal, $write:literal, $what:literal) => {
        [
            PermissionSetDef {
                name: $viewer,
                description: concat!("Read ", $what),
                permissions: &[($object, $read)],
            },
            PermissionSetDef {
                name: $writer,
                description: concat!("Read and change ", $what),
                permissions: &[($object, $read), ($object, $write)],
            },
        ]
    };
}

const ACCESS: [PermissionSetDef; 2] = area_sets!(
    "access-viewer",
    "access-writer",
    "access/*",
    "access:read",
    "access:write",
    "staff users and roles"
);
const CUSTOMERS: [PermissionSetDef; 2] = area_sets!(
    "customer-viewer",
    "customer-writer",
    "customer/*",
    "customer:read",
    "customer:write",
    "customers"
);
const DEPOSIT: [PermissionSetDef; 2] = area_sets!(
    "deposit-viewer",
    "deposit-writer",
    "deposit/*",
    "deposit:read",
    "deposit:write",
    "deposit accounts, deposits and withdrawals"
);
const GOVERNANCE: [PermissionSetDef; 2] = area_sets!(
    "governance-viewer",
    "governance-writer",
    "governance/*",
    "governance:read",
    "governance:write",
    "committees, policies and approvals"
);
const CREDIT: [PermissionSetDef; 2] = area_sets!(
    "credit-viewer",
    "credit-writer",
    "credit/*",
    "credit:read",
    "credit:write",
    "credit facilities"
);
const ACCOUNTING: [PermissionSetDef; 2] = area_sets!(
    "accounting-viewer",
    "accounting-writer",
    "accounting/*",
    "accounting:read",
    "accounting:write",
    "the chart of accounts, journals and statements"
);
const CUSTODY: [PermissionSetDef; 2] = area_sets!(
    "custody-viewer",
    "custody-writer",
    "custody/*",
    "custody:read",
    "custody:write",
    "custodians (never their secrets), wallets and custodians' webhooks"
);
const CONFIG: [PermissionSetDef; 2] = area_sets!(
    "config-viewer",
    "config-writer",
    "config/*",
    "config:read",
    "config:write",
    "domain settings"
);

const PRICE: [PermissionSetDef; 2] = area_sets!(
    "price-viewer",
    "price-writer",
    "price/*",
    "price:read",
    "price:manage",
    "the BTC/USD price and its providers (switching them, setting the manual price)"
);

pub const TIME_VIEWER: PermissionSetDef = PermissionSetDef {
    name: "time-viewer",
    description: "Read the bank's business time (date, next end of day, clock)",
    permissions: &[("time/*", "time:read")],
};

/// Moving the manual clock (simulations, demos): a set of its own, in no role but the
/// superuser's (which holds everything).
pub const TIME_TRAVEL: PermissionSetDef = PermissionSetDef {
    name: "time-travel",
    description: "Advance the manual clock to the next end of day (simulations and demos)",
    permissions: &[("time/*", "time:read"), ("time/*", "time:advance")],
};

/// Consenting to (or declining) a credit proposal on the customer's behalf, e.g. after a call
/// or a signed paper: a set of its own, so that proposing and consenting can be kept apart.
pub const CREDIT_CONSENT: PermissionSetDef = PermissionSetDef {
    name: "credit-consent-on-behalf",
    description: "Consent to or decline a credit proposal on the customer's behalf",
    permissions: &[("credit/*", "credit:read"), ("credit/*", "credit:consent")],
};

/// Recording a credit payment with an explicit (past) date: a set of its own, since it changes
/// which obligations the money pays and when.
pub const CREDIT_BACKDATE: PermissionSetDef = PermissionSetDef {
    name: "credit-backdated-payments",
    description: "Record a credit payment with an explicit date before today",
    permissions: &[
        ("credit/*", "credit:read"),
        ("credit/payment", "credit:backdate"),
    ],
};

pub const AUDIT_VIEWER: PermissionSetDef = PermissionSetDef {
    name: "audit-viewer",
    description: "Search the audit log",
    permissions: &[("audit/*", "audit:read")],
};

/// What the customer API may do at all; which customer's data it shows is each use case's rule.
pub const CUSTOMER_SELF_SERVICE: PermissionSetDef = PermissionSetDef {
    name: "customer-self-service",
    description: "A customer's own deposit accounts, balances and history, credit proposals and facilities (and consent to their proposals) with the wallet that holds their collateral, their disbursals and payments (and paying from their own accounts); the BTC/USD price",
    permissions: &[
        ("deposit/account", "deposit:read"),
        ("credit/facility", "credit:read"),
        ("credit/facility", "credit:consent"),
        ("credit/disbursal", "credit:read"),
        ("credit/payment", "credit:read"),
        ("credit/payment", "credit:write"),
        ("credit/liquidation", "credit:read"),
        ("custody/wallet", "custody:read"),
        ("price/btc-usd", "price:read"),
    ],
};

pub const SUPERUSER_SET: PermissionSetDef = PermissionSetDef {
    name: "superuser",
    description: "Everything",
    permissions: &[("*", "*")],
};

pub fn permission_sets() -> Vec<PermissionSetDef> {
    [
        ACCESS, CUSTOMERS, DEPOSIT, GOVERNANCE, CREDIT, ACCOUNTING, CUSTODY, CONFIG, PRICE,
    ]
    .into_iter()
    .flatten()
    .chain([
        TIME_VIEWER,
        TIME_TRAVEL,
        CREDIT_CONSENT,
        CREDIT_BACKDATE,
        AUDIT_VIEWER,
        CUSTOMER_SELF_SERVICE,
        SUPERUSER_SET,
    ])
    .collect()
}

pub const SUPERUSER: &str = "superuser";
pub const ADMIN: &str = "admin";
pub const BANK_MANAGER: &str = "bank-manager";
pub const ACCOUNTANT: &str = "accountant";
/// The role of every customer (see `authz::CUSTOMER_ROLE`).
pub const CUSTOMER: &str = authz::CUSTOMER_ROLE;

pub const ROLES: &[RoleDef] = &[
    RoleDef {
        name: SUPERUSER,
        permission_sets: &["superuser"],
    },
    RoleDef {
        name: ADMIN,
        permission_sets: &[
            "access-writer",
            "audit-viewer",
            "customer-writer",
            "deposit-writer",
            "governance-writer",
            "credit-writer",
            "credit-consent-on-behalf",
            "credit-backdated-payments",
            "accounting-writer",
            "custody-writer",
            "config-writer",
            "price-writer",
            "time-viewer",
        ],
    },
    RoleDef {
        name: BANK_MANAGER,
        permission_sets: &[
            "access-viewer",
            "audit-viewer",
            "customer-writer",
            "deposit-writer",
            "governance-writer",
            "credit-writer",
            "credit-consent-on-behalf",
            "accounting-viewer",
            "custody-viewer",
            "config-viewer",
            "price-viewer",
            "time-viewer",
        ],
    },
    RoleDef {
        name: CUSTOMER,
        permission_sets: &["customer-self-service"],
    },
    RoleDef {
        name: ACCOUNTANT,
        permission_sets: &[
            "accounting-writer",
            "customer-viewer",
            "deposit-viewer",
            "credit-viewer",
            "price-viewer",
            "time-viewer",
        ],
    },
];
