import { Checkbox } from "@shopify/polaris";
import type { ReactNode } from "react";

export interface ToggleGroupProps {
  /** The checkbox that switches the group on. */
  label: string;
  helpText?: ReactNode;
  checked: boolean;
  onChange(checked: boolean): void;
  /** The fields shown only while the checkbox is ticked. */
  children?: ReactNode;
}

/** A checkbox that switches a group of fields on: the fields show only while it is ticked. */
export function ToggleGroup({ label, helpText, checked, onChange, children }: ToggleGroupProps) {
  return (
    <>
      <Checkbox label={label} helpText={helpText} checked={checked} onChange={(on) => onChange(on)} />
      {checked && children}
    </>
  );
}
