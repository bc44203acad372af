import type { SelectHTMLAttributes } from "react";
import { ALL_CURRENCIES, COMMON_CURRENCIES, type Currency } from "../../../convex/model/currency";
import { currencyName } from "../lib/format";

const OTHERS = ALL_CURRENCIES.filter((code) => !COMMON_CURRENCIES.includes(code));

/** A workspace's currency: the common ISO 4217 codes first, then every other one the browser knows. */
export function CurrencySelect({
  value,
  onChange,
  ...rest
}: { value: Currency; onChange: (code: Currency) => void } & Omit<SelectHTMLAttributes<HTMLSelectElement>, "value" | "onChange">) {
  const option = (code: Currency) => (
    <option key={code} value={code}>
      {code} — {currencyName(code)}
    </option>
  );
  return (
    <select {...rest} value={value} onChange={(event) => onChange(event.target.value)}>
      <optgroup label="Common">{COMMON_CURRENCIES.map(option)}</optgroup>
      <optgroup label="All currencies">{OTHERS.map(option)}</optgroup>
    </select>
  );
}
