// Every string the customer portal shows, in English and Bangla, and the
// formatting of amounts, dates and sizes in the chosen language. The choice
// is kept in localStorage. `{name}` in a string is filled from `vars`.

const STRINGS = {
  en: {
    app_name: "Customer portal",
    switch_to: "বাংলা",
    switch_label: "বাংলায় দেখুন",
    loading: "Loading…",
    // Login
    login_title: "Log in to your account",
    tab_password: "Username & password",
    tab_otp: "Phone & SMS code",
    username: "Username",
    password: "Password",
    login_button: "Log in",
    phone: "Mobile number",
    send_code: "Send code",
    code: "6-digit code",
    code_sent: "If {phone} is registered with us, a code is on its way by SMS. It is valid for 5 minutes.",
    verify_code: "Log in with the code",
    other_number: "Use another number",
    several_accounts: "This number has several accounts. Choose yours:",
    err_login: "Wrong username or password.",
    err_code: "The code is wrong or has expired. Ask for a new one.",
    err_too_many: "Too many tries. Please wait {wait} and try again.",
    err_network: "Could not reach the server. Check your connection and try again.",
    err_generic: "Something went wrong: {message}",
    err_phone: "Enter a valid mobile number, like 01712345678.",
    session_expired: "Your session has ended. Please log in again.",
    seconds: "{n} seconds",
    a_moment: "a moment",
    // Layout
    logout: "Log out",
    nav_home: "Home",
    nav_bills: "Bills",
    nav_payments: "Payments",
    nav_invoices: "Invoices",
    nav_usage: "Usage",
    nav_complaints: "Complaints",
    nav_password: "Password",
    // Home
    hello: "Hello, {name}",
    connection: "Connection",
    status_active: "Active",
    status_suspended: "Suspended",
    status_inactive: "Inactive",
    status_expired: "Expired",
    suspended_banner: "Your connection is suspended.",
    suspended_hint: "Pay what is due and it comes back within a minute.",
    expired_banner: "Your package has expired. Pay to renew it.",
    pay_now: "Pay now",
    pay_amount: "Pay {amount} with bKash",
    package: "Package",
    no_package: "No package",
    speed: "{down} down / {up} up",
    price_monthly: "{price} a month",
    price_days: "{price} for {days} days",
    due: "Due",
    balance: "Credit",
    expires: "Valid until",
    open_bills: "Open bills",
    nothing_due: "Nothing is due. Thank you!",
    username_label: "Login name",
    // Bills
    bills_title: "Bills",
    bill: "Bill #{id}",
    bill_unpaid: "Unpaid",
    bill_partial: "Partly paid",
    bill_paid: "Paid",
    bill_cancelled: "Cancelled",
    due_date: "Due date",
    period: "Period",
    amount: "Amount",
    paid: "Paid",
    left_to_pay: "Left to pay",
    no_bills: "No bills yet.",
    more: "Show more",
    // Payments
    payments_title: "Payments",
    no_payments: "No payments yet.",
    method: "Paid by",
    method_cash: "Cash",
    method_bkash: "bKash",
    method_nagad: "Nagad",
    method_rocket: "Rocket",
    method_bank: "Bank",
    method_card: "Card",
    method_recharge_card: "Recharge card",
    trx_id: "Transaction ID",
    date: "Date",
    receipt: "Receipt",
    receipt_title: "Payment receipt",
    receipt_no: "Receipt no. {id}",
    received_with_thanks: "Received with thanks.",
    for_invoice: "For invoice",
    // Invoices
    invoices_title: "Invoices",
    invoice: "Invoice",
    no_invoices: "No invoices yet.",
    view_print: "View / print",
    invoice_open: "Due",
    invoice_paid: "Paid",
    billed_to: "Billed to",
    total: "Total",
    description: "Description",
    status: "Status",
    print: "Print",
    back: "Back",
    not_found: "Not found.",
    // Usage
    usage_title: "Usage",
    online_now: "Online now",
    offline_now: "Offline",
    last_seen: "Last checked {time}",
    ip_address: "IP address",
    uptime: "Online for",
    downloaded: "Downloaded",
    uploaded: "Uploaded",
    sessions: "Recent sessions",
    started: "Started",
    duration: "Duration",
    active_session: "online",
    ended: "ended",
    no_usage: "No usage recorded yet.",
    hours_minutes: "{h} h {m} min",
    minutes: "{m} min",
    // Complaints
    complaints_title: "Complaints",
    new_complaint: "Report a problem",
    your_complaints: "Your complaints",
    subject: "Subject",
    details: "Details (optional)",
    send: "Send",
    complaint_sent: "Thank you. We have received your complaint.",
    no_complaints: "You have not reported any problem.",
    complaint_open: "Open",
    complaint_in_progress: "In progress",
    complaint_resolved: "Resolved",
    complaint_closed: "Closed",
    // Password
    password_title: "Change password",
    current_password: "Current password",
    new_password: "New password (at least 8 characters)",
    repeat_password: "New password again",
    password_mismatch: "The two new passwords are not the same.",
    password_short: "The new password must be at least 8 characters.",
    password_wrong: "The current password is wrong.",
    password_changed: "Password changed. Other devices have been logged out.",
    password_note: "This is the portal's password; your router (PPPoE) password does not change.",
    save: "Save",
    // Paying
    to_bkash: "Taking you to bKash…",
    pay_unavailable: "bKash cannot be reached right now. Nothing was charged; please try again in a few minutes.",
    pay_not_offered: "Online payment is not available right now. Please pay at our office.",
    // Suspension page
    susp_title: "Your connection",
    susp_hello: "Hello {name}, your connection is suspended.",
    susp_active: "Hello {name}, your connection is active.",
    reason: "Reason: {reason}",
    reason_overdue: "bill #{bill} was not paid by {date}",
    reason_prepaid: "your prepaid period ended",
    due_now: "Due now: {amount}",
    susp_after_pay: "Once the payment is confirmed, your connection comes back within a minute.",
    susp_nothing_due: "Nothing is due on your account.",
    susp_contact: "Please contact us to get your connection back.",
    susp_unknown: "We could not recognise your line.",
    susp_unknown_help: "You may be on another network (mobile data?). Log in with your username or phone number to see and pay your bills.",
    login_link: "Log in to your account",
    // Result page
    result_title: "Payment",
    res_checking: "Checking your payment with bKash…",
    res_paid: "Payment received. Thank you!",
    res_back_soon: "Your connection will be back in a minute.",
    res_failed: "The payment did not go through.",
    res_cancelled: "The payment was cancelled.",
    res_expired: "The payment expired before it was completed.",
    res_rejected: "The payment was rejected.",
    res_pending: "bKash has not confirmed the payment yet. If money was taken, it will show in your account within a few minutes; there is no need to pay again.",
    res_unknown: "We could not find this payment. If money was taken from your account, contact us with the transaction ID from the SMS or receipt you got.",
    res_later: "The payment service could not be reached to confirm your payment. It will be confirmed automatically in a few minutes; please do not pay again.",
    res_no_token: "Your payment is being confirmed. Log in to see it in your account.",
    reference: "Reference",
    try_again: "Try again",
    check_again: "Check again",
    go_account: "Go to my account",
    res_checking_any: "Checking your payment…",
    res_pending_any: "The payment has not been confirmed yet. If money was taken, it will show in your account within a few minutes; there is no need to pay again.",
    res_waiting: "Waiting for the ISP to check your payment",
    res_waiting_detail: "We have your {method} transaction ID. We compare it with our {method} statement and then mark your payment paid; this can take a few hours. There is no need to send the money again.",
    res_rejected_help: "If you did send the money, contact us with the transaction ID from the SMS.",
    sent_with: "Sent with",
    // Card / mobile banking (SSLCommerz)
    pay_card: "Pay by card / mobile banking (SSLCommerz)",
    pay_card_amount: "Pay {amount} by card / mobile banking (SSLCommerz)",
    to_sslcommerz: "Taking you to SSLCommerz…",
    pay_unavailable_card: "The card payment service cannot be reached right now. Nothing was charged; please try again in a few minutes.",
    method_sslcommerz: "Card / mobile banking",
    // Money sent by bKash / Nagad / Rocket (Send Money), checked by the ISP
    sent_money_button: "I sent money by {methods}",
    sent_money_bill: "I sent money for this bill",
    sent_how: "Send the money with Send Money to one of our numbers below, then give us the transaction ID (TrxID) from the SMS you got. We check it against our statement and mark your payment paid.",
    sent_numbers: "Our numbers",
    sent_method: "Sent with",
    sent_sender: "Your number the money was sent from",
    sent_trx: "Transaction ID (TrxID) from the SMS",
    sent_amount: "Amount sent (taka)",
    sent_submit: "Send for checking",
    sent_for_bill: "For: {bill}",
    sent_none: "Paying by Send Money is not offered right now.",
    via_send_money: "{method} (Send Money)",
    claim_err_method: "Choose how you sent the money.",
    claim_err_sender: "Enter the mobile number the money came from, like 01712345678.",
    claim_err_trx: "Enter the transaction ID from the SMS: 4 to 40 letters and digits.",
    claim_err_amount: "Enter the amount you sent, at least 1 taka.",
    claim_err_duplicate: "This transaction id was submitted already.",
    claim_err_bill: "This bill is paid already or is not yours.",
    cancel: "Cancel",
    // Payment links
    link_title: "Payment link",
    link_note: "You opened a payment link: you can pay here without logging in.",
    link_invalid: "This payment link is not valid or has expired. Log in to pay, or ask your ISP for a new link.",
    link_bill: "This link is for this bill",
    // Online payments (Payments screen)
    online_title: "Online payments",
    online_note: "Payments you started here, and money you told us you sent. Paid ones are also listed above.",
    no_online: "No online payments yet.",
    onl_pending: "Pending",
    onl_waiting: "Waiting for check",
    onl_paid: "Paid",
    onl_failed: "Failed",
    onl_cancelled: "Cancelled",
    onl_expired: "Expired",
    onl_rejected: "Rejected",
  },
  bn: {
    app_name: "গ্রাহক পোর্টাল",
    switch_to: "English",
    switch_label: "View in English",
    loading: "লোড হচ্ছে…",
    login_title: "আপনার অ্যাকাউন্টে লগইন করুন",
    tab_password: "ইউজারনেম ও পাসওয়ার্ড",
    tab_otp: "ফোন ও এসএমএস কোড",
    username: "ইউজারনেম",
    password: "পাসওয়ার্ড",
    login_button: "লগইন",
    phone: "মোবাইল নম্বর",
    send_code: "কোড পাঠান",
    code: "৬ সংখ্যার কোড",
    code_sent: "{phone} নম্বরটি আমাদের কাছে নিবন্ধিত থাকলে এসএমএসে একটি কোড পাঠানো হয়েছে। কোডটি ৫ মিনিট বৈধ।",
    verify_code: "কোড দিয়ে লগইন করুন",
    other_number: "অন্য নম্বর দিন",
    several_accounts: "এই নম্বরে একাধিক অ্যাকাউন্ট আছে। আপনারটি বেছে নিন:",
    err_login: "ইউজারনেম বা পাসওয়ার্ড ভুল।",
    err_code: "কোডটি ভুল অথবা এর মেয়াদ শেষ। নতুন কোড চান।",
    err_too_many: "অনেকবার চেষ্টা করা হয়েছে। {wait} পরে আবার চেষ্টা করুন।",
    err_network: "সার্ভারে পৌঁছানো যায়নি। ইন্টারনেট সংযোগ দেখে আবার চেষ্টা করুন।",
    err_generic: "একটি সমস্যা হয়েছে: {message}",
    err_phone: "সঠিক মোবাইল নম্বর দিন, যেমন ০১৭১২৩৪৫৬৭৮।",
    session_expired: "আপনার সেশন শেষ হয়েছে। আবার লগইন করুন।",
    seconds: "{n} সেকেন্ড",
    a_moment: "কিছুক্ষণ",
    logout: "লগআউট",
    nav_home: "হোম",
    nav_bills: "বিল",
    nav_payments: "পেমেন্ট",
    nav_invoices: "ইনভয়েস",
    nav_usage: "ব্যবহার",
    nav_complaints: "অভিযোগ",
    nav_password: "পাসওয়ার্ড",
    hello: "হ্যালো, {name}",
    connection: "সংযোগ",
    status_active: "চালু",
    status_suspended: "স্থগিত",
    status_inactive: "নিষ্ক্রিয়",
    status_expired: "মেয়াদোত্তীর্ণ",
    suspended_banner: "আপনার সংযোগ স্থগিত করা হয়েছে।",
    suspended_hint: "বকেয়া পরিশোধ করলে এক মিনিটের মধ্যে সংযোগ আবার চালু হবে।",
    expired_banner: "আপনার প্যাকেজের মেয়াদ শেষ। নবায়ন করতে পরিশোধ করুন।",
    pay_now: "এখনই পরিশোধ করুন",
    pay_amount: "বিকাশে {amount} পরিশোধ করুন",
    package: "প্যাকেজ",
    no_package: "কোনো প্যাকেজ নেই",
    speed: "ডাউনলোড {down} / আপলোড {up}",
    price_monthly: "মাসে {price}",
    price_days: "{days} দিনে {price}",
    due: "বকেয়া",
    balance: "জমা",
    expires: "মেয়াদ শেষ হবে",
    open_bills: "অপরিশোধিত বিল",
    nothing_due: "কোনো বকেয়া নেই। ধন্যবাদ!",
    username_label: "লগইন নাম",
    bills_title: "বিল",
    bill: "বিল নং {id}",
    bill_unpaid: "অপরিশোধিত",
    bill_partial: "আংশিক পরিশোধিত",
    bill_paid: "পরিশোধিত",
    bill_cancelled: "বাতিল",
    due_date: "পরিশোধের শেষ তারিখ",
    period: "সময়কাল",
    amount: "পরিমাণ",
    paid: "পরিশোধিত",
    left_to_pay: "বাকি",
    no_bills: "এখনো কোনো বিল নেই।",
    more: "আরও দেখুন",
    payments_title: "পেমেন্ট",
    no_payments: "এখনো কোনো পেমেন্ট নেই।",
    method: "পরিশোধের মাধ্যম",
    method_cash: "ক্যাশ",
    method_bkash: "বিকাশ",
    method_nagad: "নগদ",
    method_rocket: "রকেট",
    method_bank: "ব্যাংক",
    method_card: "কার্ড",
    method_recharge_card: "রিচার্জ কার্ড",
    trx_id: "ট্রানজেকশন আইডি",
    date: "তারিখ",
    receipt: "রসিদ",
    receipt_title: "পেমেন্টের রসিদ",
    receipt_no: "রসিদ নং {id}",
    received_with_thanks: "ধন্যবাদের সাথে গৃহীত।",
    for_invoice: "ইনভয়েস",
    invoices_title: "ইনভয়েস",
    invoice: "ইনভয়েস",
    no_invoices: "এখনো কোনো ইনভয়েস নেই।",
    view_print: "দেখুন / প্রিন্ট করুন",
    invoice_open: "বকেয়া",
    invoice_paid: "পরিশোধিত",
    billed_to: "গ্রাহক",
    total: "মোট",
    description: "বিবরণ",
    status: "অবস্থা",
    print: "প্রিন্ট করুন",
    back: "ফিরে যান",
    not_found: "পাওয়া যায়নি।",
    usage_title: "ব্যবহার",
    online_now: "এখন অনলাইনে",
    offline_now: "অফলাইন",
    last_seen: "সর্বশেষ যাচাই {time}",
    ip_address: "আইপি ঠিকানা",
    uptime: "অনলাইনে আছেন",
    downloaded: "ডাউনলোড",
    uploaded: "আপলোড",
    sessions: "সাম্প্রতিক সেশন",
    started: "শুরু",
    duration: "সময়",
    active_session: "অনলাইন",
    ended: "শেষ",
    no_usage: "এখনো ব্যবহারের কোনো তথ্য নেই।",
    hours_minutes: "{h} ঘণ্টা {m} মিনিট",
    minutes: "{m} মিনিট",
    complaints_title: "অভিযোগ",
    new_complaint: "সমস্যা জানান",
    your_complaints: "আপনার অভিযোগসমূহ",
    subject: "বিষয়",
    details: "বিস্তারিত (ঐচ্ছিক)",
    send: "পাঠান",
    complaint_sent: "ধন্যবাদ। আপনার অভিযোগ আমরা পেয়েছি।",
    no_complaints: "আপনি এখনো কোনো সমস্যা জানাননি।",
    complaint_open: "খোলা",
    complaint_in_progress: "কাজ চলছে",
    complaint_resolved: "সমাধান হয়েছে",
    complaint_closed: "বন্ধ",
    password_title: "পাসওয়ার্ড পরিবর্তন",
    current_password: "বর্তমান পাসওয়ার্ড",
    new_password: "নতুন পাসওয়ার্ড (কমপক্ষে ৮ অক্ষর)",
    repeat_password: "নতুন পাসওয়ার্ড আবার লিখুন",
    password_mismatch: "নতুন পাসওয়ার্ড দুটি মেলেনি।",
    password_short: "নতুন পাসওয়ার্ড কমপক্ষে ৮ অক্ষরের হতে হবে।",
    password_wrong: "বর্তমান পাসওয়ার্ড ভুল।",
    password_changed: "পাসওয়ার্ড পরিবর্তন হয়েছে। অন্য সব ডিভাইস থেকে লগআউট করা হয়েছে।",
    password_note: "এটি পোর্টালের পাসওয়ার্ড; আপনার রাউটারের (PPPoE) পাসওয়ার্ড বদলাবে না।",
    save: "সংরক্ষণ করুন",
    to_bkash: "বিকাশে নিয়ে যাওয়া হচ্ছে…",
    pay_unavailable: "এই মুহূর্তে বিকাশে সংযোগ করা যাচ্ছে না। কোনো টাকা কাটা হয়নি; কয়েক মিনিট পরে আবার চেষ্টা করুন।",
    pay_not_offered: "অনলাইন পেমেন্ট এখন চালু নেই। অনুগ্রহ করে আমাদের অফিসে পরিশোধ করুন।",
    susp_title: "আপনার সংযোগ",
    susp_hello: "হ্যালো {name}, আপনার সংযোগ স্থগিত করা হয়েছে।",
    susp_active: "হ্যালো {name}, আপনার সংযোগ চালু আছে।",
    reason: "কারণ: {reason}",
    reason_overdue: "বিল নং {bill} {date} তারিখের মধ্যে পরিশোধ করা হয়নি",
    reason_prepaid: "আপনার প্রিপেইড মেয়াদ শেষ হয়েছে",
    due_now: "এখন বকেয়া: {amount}",
    susp_after_pay: "পেমেন্ট নিশ্চিত হলে এক মিনিটের মধ্যে আপনার সংযোগ আবার চালু হবে।",
    susp_nothing_due: "আপনার অ্যাকাউন্টে কোনো বকেয়া নেই।",
    susp_contact: "সংযোগ আবার চালু করতে অনুগ্রহ করে আমাদের সাথে যোগাযোগ করুন।",
    susp_unknown: "আপনার সংযোগটি চেনা যায়নি।",
    susp_unknown_help: "আপনি হয়তো অন্য নেটওয়ার্কে (যেমন মোবাইল ডেটা) আছেন। বিল দেখতে ও পরিশোধ করতে ইউজারনেম বা মোবাইল নম্বর দিয়ে লগইন করুন।",
    login_link: "আপনার অ্যাকাউন্টে লগইন করুন",
    result_title: "পেমেন্ট",
    res_checking: "বিকাশে আপনার পেমেন্ট যাচাই করা হচ্ছে…",
    res_paid: "পেমেন্ট পাওয়া গেছে। ধন্যবাদ!",
    res_back_soon: "এক মিনিটের মধ্যে আপনার সংযোগ আবার চালু হবে।",
    res_failed: "পেমেন্ট সম্পন্ন হয়নি।",
    res_cancelled: "পেমেন্ট বাতিল করা হয়েছে।",
    res_expired: "পেমেন্ট সম্পন্ন হওয়ার আগেই এর মেয়াদ শেষ হয়ে গেছে।",
    res_rejected: "পেমেন্ট গ্রহণ করা হয়নি।",
    res_pending: "বিকাশ এখনো পেমেন্ট নিশ্চিত করেনি। টাকা কেটে থাকলে কয়েক মিনিটের মধ্যে আপনার অ্যাকাউন্টে দেখা যাবে; আবার পরিশোধ করার দরকার নেই।",
    res_unknown: "এই পেমেন্টটি খুঁজে পাওয়া যায়নি। আপনার অ্যাকাউন্ট থেকে টাকা কেটে থাকলে এসএমএস বা রসিদের ট্রানজেকশন আইডিসহ আমাদের সাথে যোগাযোগ করুন।",
    res_later: "পেমেন্ট নিশ্চিত করতে পেমেন্ট সেবায় সংযোগ করা যায়নি। কয়েক মিনিটের মধ্যে এটি নিজে থেকেই নিশ্চিত হবে; অনুগ্রহ করে আবার পরিশোধ করবেন না।",
    res_no_token: "আপনার পেমেন্ট নিশ্চিত করা হচ্ছে। অ্যাকাউন্টে দেখতে লগইন করুন।",
    reference: "রেফারেন্স",
    try_again: "আবার চেষ্টা করুন",
    check_again: "আবার যাচাই করুন",
    go_account: "আমার অ্যাকাউন্টে যান",
    res_checking_any: "আপনার পেমেন্ট যাচাই করা হচ্ছে…",
    res_pending_any: "পেমেন্ট এখনো নিশ্চিত হয়নি। টাকা কেটে থাকলে কয়েক মিনিটের মধ্যে আপনার অ্যাকাউন্টে দেখা যাবে; আবার পরিশোধ করার দরকার নেই।",
    res_waiting: "আপনার পেমেন্ট আইএসপির যাচাইয়ের অপেক্ষায় আছে",
    res_waiting_detail: "আমরা আপনার {method} ট্রানজেকশন আইডি পেয়েছি। আমাদের {method} স্টেটমেন্টের সাথে মিলিয়ে আপনার পেমেন্ট পরিশোধিত হিসেবে দেখানো হবে; এতে কয়েক ঘণ্টা লাগতে পারে। আবার টাকা পাঠানোর দরকার নেই।",
    res_rejected_help: "আপনি টাকা পাঠিয়ে থাকলে এসএমএস-এর ট্রানজেকশন আইডিসহ আমাদের সাথে যোগাযোগ করুন।",
    sent_with: "যে মাধ্যমে পাঠানো হয়েছে",
    pay_card: "কার্ড / মোবাইল ব্যাংকিংয়ে পরিশোধ করুন (SSLCommerz)",
    pay_card_amount: "কার্ড / মোবাইল ব্যাংকিংয়ে {amount} পরিশোধ করুন (SSLCommerz)",
    to_sslcommerz: "SSLCommerz-এ নিয়ে যাওয়া হচ্ছে…",
    pay_unavailable_card: "এই মুহূর্তে কার্ড পেমেন্ট সেবায় সংযোগ করা যাচ্ছে না। কোনো টাকা কাটা হয়নি; কয়েক মিনিট পরে আবার চেষ্টা করুন।",
    method_sslcommerz: "কার্ড / মোবাইল ব্যাংকিং",
    sent_money_button: "আমি {methods} দিয়ে টাকা পাঠিয়েছি",
    sent_money_bill: "এই বিলের টাকা আমি পাঠিয়েছি",
    sent_how: "নিচের যেকোনো একটি নম্বরে সেন্ড মানি করে টাকা পাঠান, তারপর যে এসএমএস পেয়েছেন তার ট্রানজেকশন আইডি (TrxID) আমাদের জানান। আমরা আমাদের স্টেটমেন্টের সাথে মিলিয়ে আপনার পেমেন্ট পরিশোধিত হিসেবে দেখাব।",
    sent_numbers: "আমাদের নম্বর",
    sent_method: "কোন মাধ্যমে পাঠিয়েছেন",
    sent_sender: "যে নম্বর থেকে টাকা পাঠিয়েছেন",
    sent_trx: "এসএমএস-এ পাওয়া ট্রানজেকশন আইডি (TrxID)",
    sent_amount: "পাঠানো টাকার পরিমাণ",
    sent_submit: "যাচাইয়ের জন্য পাঠান",
    sent_for_bill: "যার জন্য: {bill}",
    sent_none: "সেন্ড মানি করে পরিশোধের সুবিধা এখন চালু নেই।",
    via_send_money: "{method} (সেন্ড মানি)",
    claim_err_method: "কোন মাধ্যমে টাকা পাঠিয়েছেন তা বেছে নিন।",
    claim_err_sender: "যে মোবাইল নম্বর থেকে টাকা পাঠিয়েছেন তা লিখুন, যেমন ০১৭১২৩৪৫৬৭৮।",
    claim_err_trx: "এসএমএস-এর ট্রানজেকশন আইডি লিখুন: ৪ থেকে ৪০টি অক্ষর ও সংখ্যা।",
    claim_err_amount: "যে পরিমাণ টাকা পাঠিয়েছেন তা লিখুন, কমপক্ষে ১ টাকা।",
    claim_err_duplicate: "এই ট্রানজেকশন আইডি আগেই জমা দেওয়া হয়েছে।",
    claim_err_bill: "এই বিলটি আগেই পরিশোধ করা হয়েছে অথবা এটি আপনার নয়।",
    cancel: "বাতিল",
    link_title: "পেমেন্ট লিংক",
    link_note: "আপনি একটি পেমেন্ট লিংক খুলেছেন: লগইন না করেই এখানে পরিশোধ করতে পারেন।",
    link_invalid: "এই পেমেন্ট লিংকটি সঠিক নয় অথবা এর মেয়াদ শেষ হয়ে গেছে। পরিশোধ করতে লগইন করুন, অথবা আপনার আইএসপির কাছে নতুন লিংক চান।",
    link_bill: "এই লিংকটি এই বিলের জন্য",
    online_title: "অনলাইন পেমেন্ট",
    online_note: "এখান থেকে শুরু করা পেমেন্ট, আর যে টাকা পাঠিয়েছেন বলে আমাদের জানিয়েছেন। পরিশোধিতগুলো উপরের তালিকাতেও আছে।",
    no_online: "এখনো কোনো অনলাইন পেমেন্ট নেই।",
    onl_pending: "অপেক্ষমাণ",
    onl_waiting: "যাচাইয়ের অপেক্ষায়",
    onl_paid: "পরিশোধিত",
    onl_failed: "ব্যর্থ",
    onl_cancelled: "বাতিল",
    onl_expired: "মেয়াদোত্তীর্ণ",
    onl_rejected: "গ্রহণ করা হয়নি",
  },
};

const KEY = "ispbills.portal.lang";
const LOCALES = { en: "en-IN", bn: "bn-BD" };

let current = (() => {
  try {
    const saved = localStorage.getItem(KEY);
    if (saved === "en" || saved === "bn") return saved;
  } catch { /* storage blocked */ }
  return (navigator.language || "").toLowerCase().startsWith("bn") ? "bn" : "en";
})();

export const lang = () => current;

export function setLang(l) {
  current = l === "bn" ? "bn" : "en";
  try { localStorage.setItem(KEY, current); } catch { /* storage blocked */ }
  applyStatic();
}

/** The string `key` in the current language, `{name}`s filled from `vars`. */
export function t(key, vars = {}) {
  const text = STRINGS[current][key] ?? STRINGS.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, k) => (vars[k] === undefined ? "" : String(vars[k])));
}

/** Whether `key` has a string (for values such as statuses). */
export const has = (key) => key in STRINGS.en;

/** A status-like value shown in words: `t(prefix + value)`, else the value. */
export const word = (prefix, value) => (has(prefix + value) ? t(prefix + value) : String(value ?? ""));

const number = (n, digits) => new Intl.NumberFormat(LOCALES[current], {
  minimumFractionDigits: digits, maximumFractionDigits: 2,
}).format(n);

/** An amount in major units: "BDT 1,500" / "১,৫০০ টাকা". */
export function money(amount, currency = "BDT") {
  const n = Number(amount) || 0;
  const text = number(n, Number.isInteger(n) ? 0 : 2);
  if (current === "bn" && currency === "BDT") return `${text} টাকা`;
  return `${currency} ${text}`;
}

/** Digits in the current language (phone numbers, ids). */
export const digits = (text) => (current === "bn"
  ? String(text).replace(/[0-9]/g, (d) => "০১২৩৪৫৬৭৮৯"[d]) : String(text));

/** Bangla digits typed by the customer as 0-9 (numbers sent to the API). */
export const latinDigits = (text) => String(text ?? "").replace(/[০-৯]/g, (d) => String("০১২৩৪৫৬৭৮৯".indexOf(d)));

/** A `YYYY-MM-DD` date, or a timestamp's day. */
export function date(value) {
  if (!value) return "";
  const d = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T00:00:00Z`) : new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  const utc = /^\d{4}-\d{2}-\d{2}$/.test(value);
  return new Intl.DateTimeFormat(LOCALES[current], {
    day: "numeric", month: "short", year: "numeric", ...(utc ? { timeZone: "UTC" } : {}),
  }).format(d);
}

/** A timestamp with its time of day. */
export function dateTime(value) {
  const d = new Date(value);
  if (!value || Number.isNaN(d.getTime())) return String(value ?? "");
  return new Intl.DateTimeFormat(LOCALES[current], {
    day: "numeric", month: "short", year: "numeric", hour: "numeric", minute: "2-digit",
  }).format(d);
}

/** A `YYYY-MM` month. */
export function month(value) {
  const d = new Date(`${value}-01T00:00:00Z`);
  if (Number.isNaN(d.getTime())) return String(value ?? "");
  return new Intl.DateTimeFormat(LOCALES[current], { month: "long", year: "numeric", timeZone: "UTC" }).format(d);
}

/** Bytes as "1.50 GB". */
export function bytes(n) {
  let v = Number(n) || 0;
  const units = ["B", "KB", "MB", "GB", "TB"];
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i += 1; }
  return `${i === 0 ? number(v, 0) : number(Number(v.toFixed(2)), 2)} ${units[i]}`;
}

/** A speed in kbit/s as "10 Mbps". */
export function speed(kbps) {
  const n = Number(kbps) || 0;
  return n >= 1024 ? `${number(Math.round((n / 1024) * 10) / 10, 0)} Mbps` : `${number(n, 0)} kbps`;
}

/** Seconds as "1 h 5 min". */
export function duration(secs) {
  const m = Math.floor((Number(secs) || 0) / 60);
  const h = Math.floor(m / 60);
  return h > 0 ? t("hours_minutes", { h: number(h, 0), m: number(m % 60, 0) }) : t("minutes", { m: number(m, 0) });
}

/** Fills the page's fixed text: `data-i18n` (text) and `data-i18n-title` (title). */
export function applyStatic(root = document) {
  document.documentElement.lang = current;
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-title]")) el.title = t(el.dataset.i18nTitle);
  const sw = document.getElementById("lang-switch");
  if (sw) {
    sw.textContent = t("switch_to");
    sw.setAttribute("aria-label", t("switch_label"));
    sw.lang = current === "en" ? "bn" : "en";
  }
}

/** Wires the language button: switches, then calls `rerender`. */
export function langSwitch(rerender) {
  applyStatic();
  document.getElementById("lang-switch")?.addEventListener("click", () => {
    setLang(current === "en" ? "bn" : "en");
    rerender();
  });
}
