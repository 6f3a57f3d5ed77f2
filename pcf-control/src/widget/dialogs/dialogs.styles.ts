import { makeStyles, tokens } from '@fluentui/react-components';

export const useDialogStyles = makeStyles({
  surface: { maxWidth: '860px', width: 'calc(100vw - 32px)' },
  content: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  tableScroll: { maxHeight: '50vh', overflowY: 'auto' },
  value: { fontVariantNumeric: 'tabular-nums', wordBreak: 'break-word' },
  secondary: { color: tokens.colorNeutralForeground2, fontSize: tokens.fontSizeBase200 },
  progress: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  row: { display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: tokens.spacingHorizontalS },
  list: { margin: 0, paddingLeft: tokens.spacingHorizontalL },
});
