import { TextField } from "@shopify/polaris";
import type { ReactNode } from "react";

export interface DecimalFieldProps {
  label: string;
  value: string;
  onChange(value: string): void;
  onBlur?(): void;
  /** The message from the form's field errors, if any. */
  error?: string;
  placeholder?: string;
  helpText?: ReactNode;
  prefix?: ReactNode;
  suffix?: ReactNode;
}

/** A text field for a decimal number: the decimal keypad on phones, no browser autofill. */
export function DecimalField(props: DecimalFieldProps) {
  return <TextField autoComplete="off" inputMode="decimal" {...props} />;
}

/** An amount of money in the shop's currency, shown as the field's prefix. */
export function MoneyField({ currencyCode, ...props }: Omit<DecimalFieldProps, "prefix" | "suffix"> & { currencyCode: string }) {
  return <DecimalField {...props} prefix={currencyCode} />;
}

/** A percentage, with "%" after the number. */
export function PercentField(props: Omit<DecimalFieldProps, "prefix" | "suffix">) {
  return <DecimalField {...props} suffix="%" />;
}
