import * as React from 'react';
import { Badge, type BadgeProps } from '@fluentui/react-components';

type StatusTone = Extract<
  NonNullable<BadgeProps['color']>,
  'success' | 'brand' | 'warning' | 'danger' | 'informative' | 'subtle'
>;

export interface StatusBadgeProps {
  tone: StatusTone;
  /** Always given with the text: a status is never told by colour alone. */
  icon: React.ReactElement;
  text: string;
}

/** A status as icon and words in one tinted badge. */
export function StatusBadge({ tone, icon, text }: StatusBadgeProps): React.ReactElement {
  return (
    <Badge appearance="tint" color={tone} icon={icon} shape="rounded">
      {text}
    </Badge>
  );
}
