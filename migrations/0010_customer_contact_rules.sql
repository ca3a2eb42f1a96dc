-- What the booking form asks of customers (issue 15 item 4): which countries' phone numbers the
-- company can call back (international dialling codes, France always), and whether an e-mail
-- address is required (it is optional by default: many customers only want a phone call).
ALTER TABLE company_settings
  ADD COLUMN phone_country_codes text[] NOT NULL DEFAULT '{33}',
  ADD COLUMN email_required boolean NOT NULL DEFAULT false;
